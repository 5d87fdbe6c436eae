// SPDX-License-Identifier: Apache-2.0
package dib.core.image;

import org.osgi.annotation.versioning.ConsumerType;

import dib.core.build.BuildContext;
import dib.core.build.BuildException;

/**
 * The block-device layer: decides the layout of a build's image (upstream's
 * {@code dib-block-device}) and creates it. The engine uses the service with the highest
 * ranking; without one, builds can only produce tree outputs such as {@code tar}.
 *
 * <p>Protocol, in the order the engine calls it:
 * <ol>
 * <li>{@link #plan} right after the build directory exists and before any phase: read the
 * configuration ({@code DIB_BLOCK_DEVICE_CONFIG}, {@code block-device-*.yaml} of the
 * elements, built-in defaults), validate it and fail now if it cannot work here. Nothing is
 * created yet. The plan's {@link DiskLayout#environment()} (root label, fs type, mount
 * points) is exported to every hook.</li>
 * <li>{@link DiskLayout#create} after {@code post-root.d}, with the finished tree: size,
 * create the image files, partitions and file systems, copy the tree in, mount everything
 * under the mount base, write {@code /etc/fstab}.</li>
 * <li>The engine runs {@code block-device.d}, {@code pre-finalise.d}, {@code finalise.d},
 * {@code cleanup.d} and the tree outputs on the mounted tree.</li>
 * <li>{@link DiskLayout#unmount()}, then the disk outputs are converted from
 * {@link DiskLayout#rawImage()}.</li>
 * <li>{@link DiskLayout#close()} always, also after failures: releases whatever exists.</li>
 * </ol>
 *
 * @since 1.0
 */
@ConsumerType
public interface BlockDeviceLayer {
    /**
     * @param ctx the build
     * @return the plan for this build
     * @throws BuildException if the configuration is invalid or cannot work on this machine
     */
    DiskLayout plan(BuildContext ctx) throws BuildException;
}

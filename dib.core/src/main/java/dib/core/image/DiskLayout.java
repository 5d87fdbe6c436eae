// SPDX-License-Identifier: Apache-2.0
package dib.core.image;

import java.nio.file.Path;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

import dib.core.build.BuildException;

/**
 * One build's block devices, from plan to release. See {@link BlockDeviceLayer} for the
 * order of calls. Used by one build thread at a time.
 *
 * @since 1.0
 */
@ConsumerType
public interface DiskLayout extends AutoCloseable {
    /**
     * @return variables for every hook, known from the plan: {@code DIB_ROOT_LABEL},
     *         {@code DIB_ROOT_FSTYPE}, {@code DIB_BOOT_LABEL}, {@code DIB_MOUNTPOINTS}, ...
     */
    Map<String, String> environment();

    /**
     * Creates the image: sizes it from {@code tree} (or the requested size), creates files,
     * partitions and file systems, copies {@code tree} into them, mounts them under
     * {@code mountBase} (the root file system at {@code mountBase} itself) and writes
     * {@code etc/fstab} there. Undoes its own partial work when it fails.
     *
     * @param tree      the finished tree (a namespace path)
     * @param mountBase where to mount the final file systems (a namespace path)
     * @return variables for the later hooks: {@code IMAGE_BLOCK_DEVICE},
     *         {@code IMAGE_BLOCK_DEVICES}, {@code DIB_IMAGE_SIZE}, ...
     * @throws BuildException naming what failed
     */
    Map<String, String> create(Path tree, Path mountBase) throws BuildException;

    /**
     * Flushes and unmounts the final file systems (after finalise, cleanup and tree
     * outputs). The image files stay.
     *
     * @throws BuildException if a file system cannot be unmounted
     */
    void unmount() throws BuildException;

    /** @return the whole-disk raw image (a namespace path), valid after {@link #create} */
    Path rawImage();

    /** Releases everything this layout created: mounts, loop devices, image files. Idempotent. */
    @Override
    void close();
}

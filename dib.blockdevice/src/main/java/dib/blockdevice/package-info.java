// SPDX-License-Identifier: Apache-2.0
/**
 * The block-device layer's extension points: node types of the YAML block-device
 * configuration ({@link dib.blockdevice.NodeType}, one service per YAML key such as
 * {@code mkfs}), the build state they share ({@link dib.blockdevice.Region},
 * {@link dib.blockdevice.FileSystem}, {@link dib.blockdevice.Mount},
 * {@link dib.blockdevice.FstabEntry}) and the kernel extraction service behind
 * {@code disk-image-get-kernel} ({@link dib.blockdevice.KernelExtractor}).
 *
 * <p>There are no block devices for partitions here: a partition or a whole disk is a
 * {@link dib.blockdevice.Region} of an image file, and file systems are written into it
 * directly or mounted with {@code mount -o loop,offset=...,sizelimit=...} inside the build's
 * sandbox.
 *
 * @since 1.0
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dib.blockdevice;

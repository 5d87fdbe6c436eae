// SPDX-License-Identifier: Apache-2.0
package dib.core.archive;

/**
 * Which partitions of a disk image {@link Archives#repackDiskImage} took, described for the
 * build log, e.g. {@code partition 3 (ext4, label root)}.
 *
 * @param root the partition mounted as {@code /}
 * @param boot the partition mounted on {@code /boot}, or null
 * @param esp  the EFI system partition mounted on {@code /boot/efi}, or null
 * @since 1.0
 */
public record DiskImagePartitions(String root, String boot, String esp) {
}

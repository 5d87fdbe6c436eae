// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice;

import java.util.Objects;

/**
 * A file system created by a {@code mkfs} node.
 *
 * @param node      the mkfs node's name
 * @param type      the type ({@code ext4}, {@code xfs}, {@code vfat}, {@code swap}, ...)
 * @param label     the label
 * @param uuid      the UUID given to mkfs, or null when the type takes none
 * @param region    where it lives
 * @param populated true when mkfs already copied the tree into it (so mounting must not copy again)
 * @since 1.0
 */
public record FileSystem(String node, String type, String label, String uuid, Region region, boolean populated) {
    /** Checks the values. */
    public FileSystem {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(region, "region");
    }

    /** @return true for FAT, which dib never mounts (no vfat module is assumed); see {@link Mount} */
    public boolean isFat() {
        return type.equals("vfat") || type.equals("fat") || type.equals("msdos");
    }

    /** @return true for swap, which is never mounted */
    public boolean isSwap() {
        return type.equals("swap");
    }
}

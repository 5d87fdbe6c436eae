// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A mount point of the final image, made by a {@code mount} node.
 *
 * <p>FAT file systems are not mounted (the build host may lack the vfat module): their
 * mount point is a plain directory holding a copy of their contents while the build runs,
 * and that directory is written into the FAT file system with mtools when it is unmounted.
 * Swap has the mount point {@code none} and no path.
 *
 * @param node       the mount node's name
 * @param fileSystem the mkfs node it mounts
 * @param mountPoint the mount point in the image ({@code /}, {@code /boot}, {@code none})
 * @param path       where it is during the build (a namespace path), null for swap
 * @since 1.0
 */
public record Mount(String node, String fileSystem, String mountPoint, Path path) {
    /** Checks the values. */
    public Mount {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(fileSystem, "fileSystem");
        Objects.requireNonNull(mountPoint, "mountPoint");
    }
}

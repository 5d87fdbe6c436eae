// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a block device is in dib: a byte range of an image file. A whole disk is the file
 * from offset 0; a partition is the range its table entry names.
 *
 * @param image      the image file, a path in the build's namespace
 * @param offset     the first byte
 * @param size       the length in bytes
 * @param sectorSize the logical sector size partition tables use (512 or 4096)
 * @since 1.0
 */
public record Region(Path image, long offset, long size, int sectorSize) {
    /** Checks the values. */
    public Region {
        Objects.requireNonNull(image, "image");
        if (offset < 0 || size <= 0) {
            throw new IllegalArgumentException("bad region " + offset + "+" + size + " of " + image);
        }
        if (sectorSize != 512 && sectorSize != 4096) {
            throw new IllegalArgumentException("unsupported sector size " + sectorSize);
        }
    }

    /** A region with 512-byte sectors. */
    public Region(Path image, long offset, long size) {
        this(image, offset, size, 512);
    }

    /** @return the options for {@code mount -o loop,...}: {@code offset=N,sizelimit=M} */
    public String loopOptions() {
        return "offset=" + offset + ",sizelimit=" + size;
    }

    /** @return the first byte after the region */
    public long end() {
        return offset + size;
    }
}

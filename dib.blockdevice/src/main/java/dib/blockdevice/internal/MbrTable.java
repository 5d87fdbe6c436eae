// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An MBR partition table laid out as upstream's native writer lays it out: every partition
 * start and end aligned to {@code align}; primary partitions first; the first logical
 * partition creates one extended partition (type 0x0F) over the rest of the disk, and each
 * logical partition gets an EBR at its aligned start with its data one alignment unit
 * later, EBRs chained by type 0x05 entries; logical numbering starts at 5. Free space is
 * what is left after the next aligned start, less one alignment unit.
 *
 * <p>Two upstream slips are not reproduced: the CHS sector byte carries the cylinder's top
 * two bits properly, and the end CHS names the partition's last sector.
 */
final class MbrTable {
    private static final int HEADS = 254;
    private static final int SECTORS = 63;
    private static final int MAX_CYLINDER = 1023;

    /** One partition: number, first sector and length in sectors, relative to the disk. */
    record Part(int number, long start, long length) {
    }

    private final long diskSectors;
    private final long alignSectors;
    private final int sectorSize;
    private final Map<Long, byte[]> sectors = new TreeMap<>();
    private final List<Part> parts = new ArrayList<>();
    private long extendedStart;
    private long nextFree;
    private long lastEbr;
    private int number;
    private int primaries;
    private int logicals;

    /**
     * @param diskBytes  the disk size (a multiple of the sector size)
     * @param alignBytes the alignment
     * @param sectorSize the sector size
     */
    MbrTable(long diskBytes, long alignBytes, int sectorSize) {
        this.sectorSize = sectorSize;
        this.diskSectors = diskBytes / sectorSize;
        this.alignSectors = Math.max(1, alignBytes / sectorSize);
        byte[] mbr = sector(0);
        int id = new SecureRandom().nextInt();
        ByteBuffer.wrap(mbr).order(ByteOrder.LITTLE_ENDIAN).putInt(440, id);
        signature(0);
        extendedStart = align(1);
        nextFree = extendedStart;
    }

    private byte[] sector(long lba) {
        return sectors.computeIfAbsent(lba, k -> new byte[sectorSize]);
    }

    private void signature(long lba) {
        byte[] s = sector(lba);
        s[510] = 0x55;
        s[511] = (byte) 0xAA;
    }

    private long align(long lba) {
        return lba % alignSectors == 0 ? lba : (lba / alignSectors + 1) * alignSectors;
    }

    /** @return the bytes still free for the next partition */
    long free() {
        return (diskSectors - (nextFree + align(1))) * sectorSize;
    }

    /**
     * @return the partitions added so far
     */
    List<Part> parts() {
        return List.copyOf(parts);
    }

    /**
     * Adds a partition.
     *
     * @param primary true for a primary partition
     * @param boot    the active flag
     * @param size    its size in bytes
     * @param type    the partition type byte
     * @return the partition
     * @throws IllegalArgumentException if it does not fit or breaks the ordering rules
     */
    Part add(boolean primary, boolean boot, long size, int type) {
        long length = size / sectorSize;
        if (length <= 0) {
            throw new IllegalArgumentException("size is less than one sector");
        }
        if (primary) {
            if (logicals > 0) {
                throw new IllegalArgumentException("all primary partitions must be given first");
            }
            if (primaries == 4) {
                throw new IllegalArgumentException("an MBR holds at most 4 primary partitions");
            }
            long start = align(nextFree);
            long end = align(start + length);
            fits(start + length);
            entry(0, number, boot, type, start, length);
            nextFree = end;
            primaries++;
            number++;
            Part p = new Part(number, start, length);
            parts.add(p);
            return p;
        }
        if (logicals == 0) {
            if (primaries == 4) {
                throw new IllegalArgumentException("no room for an extended partition after 4 primary partitions");
            }
            extendedStart = nextFree;
            entry(0, number, false, 0x0F, nextFree, diskSectors - nextFree);
            number = 4;
        }
        long ebr = nextFree;
        long start = align(ebr + 1);
        long end = align(start + length);
        fits(start + length);
        if (lastEbr != 0) {
            entry(lastEbr, 1, false, 0x05, ebr - extendedStart, end - ebr);
        }
        entry(ebr, 0, boot, type, start - ebr, length);
        signature(ebr);
        nextFree = end;
        lastEbr = ebr;
        logicals++;
        number++;
        Part p = new Part(number, start, length);
        parts.add(p);
        return p;
    }

    private void fits(long endExclusive) {
        if (endExclusive > diskSectors) {
            throw new IllegalArgumentException("does not fit: it would end at sector " + endExclusive
                    + " but the disk has " + diskSectors);
        }
    }

    private void entry(long lba, int index, boolean boot, int type, long start, long length) {
        ByteBuffer b = ByteBuffer.wrap(sector(lba)).order(ByteOrder.LITTLE_ENDIAN);
        int o = 446 + 16 * index;
        b.put(o, (byte) (boot ? 0x80 : 0));
        chs(b, o + 1, start);
        b.put(o + 4, (byte) type);
        chs(b, o + 5, start + length - 1);
        b.putInt(o + 8, (int) start);
        b.putInt(o + 12, (int) length);
    }

    private static void chs(ByteBuffer b, int o, long lba) {
        long c;
        long h;
        long s;
        if (lba > (long) HEADS * SECTORS * MAX_CYLINDER) {
            c = MAX_CYLINDER;
            h = HEADS;
            s = SECTORS;
        } else {
            c = lba / (HEADS * SECTORS);
            h = (lba / SECTORS) % HEADS;
            s = lba % SECTORS + 1;
        }
        b.put(o, (byte) h);
        b.put(o + 1, (byte) (s | ((c >> 2) & 0xC0)));
        b.put(o + 2, (byte) (c & 0xFF));
    }

    /**
     * Writes the MBR and EBRs.
     *
     * @param ch   the image
     * @param base the disk's first byte in the image
     */
    void write(FileChannel ch, long base) throws IOException {
        for (Map.Entry<Long, byte[]> e : sectors.entrySet()) {
            ByteBuffer b = ByteBuffer.wrap(e.getValue());
            long pos = base + e.getKey() * sectorSize;
            while (b.hasRemaining()) {
                pos += ch.write(b, pos);
            }
        }
    }
}

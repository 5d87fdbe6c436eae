// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Reads the partition table of a raw disk image: MBR (with logical partitions) or GPT. */
public final class PartitionReader {
    /** The kind of table. */
    public enum Kind {
        /** No partition table: a bare file system. */
        NONE,
        /** MBR. */
        MBR,
        /** GPT. */
        GPT
    }

    /**
     * One partition.
     *
     * @param number its number (1-4 primary, 5+ logical for MBR)
     * @param start  its first byte
     * @param size   its length in bytes
     * @param type   the MBR type as two hex digits ({@code 83}) or the GPT type GUID in upper case
     * @param boot   the MBR active flag or the GPT legacy-BIOS-bootable attribute
     */
    public record Partition(int number, long start, long size, String type, boolean boot) {
        /** @return true for a GPT BIOS boot partition */
        public boolean biosBoot() {
            return type.equals("21686148-6449-6E6F-744E-656564454649");
        }

        /** @return true for an EFI system partition */
        public boolean efiSystem() {
            return type.equals("C12A7328-F81F-11D2-BA4B-00A0C93EC93B") || type.equals("EF");
        }
    }

    /**
     * A table.
     *
     * @param kind       the kind
     * @param sectorSize the sector size it uses
     * @param partitions the partitions, in number order
     */
    public record Table(Kind kind, int sectorSize, List<Partition> partitions) {
    }

    private PartitionReader() {
    }

    /**
     * @param image a raw image, as a path the JVM can read
     * @return its table
     * @throws IOException if it cannot be read
     */
    public static Table read(Path image) throws IOException {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer mbr = sector(ch, 0, 512);
            if ((mbr.get(510) & 0xFF) != 0x55 || (mbr.get(511) & 0xFF) != 0xAA) {
                return new Table(Kind.NONE, 512, List.of());
            }
            for (int ss : new int[] { 512, 4096 }) {
                ByteBuffer h = sector(ch, ss, ss);
                byte[] sig = new byte[8];
                h.get(0, sig);
                if (new String(sig, StandardCharsets.US_ASCII).equals("EFI PART") && (mbr.get(450) & 0xFF) == 0xEE) {
                    return gpt(ch, h, ss);
                }
            }
            List<Partition> parts = new ArrayList<>();
            long extended = -1;
            for (int i = 0; i < 4; i++) {
                int o = 446 + 16 * i;
                int type = mbr.get(o + 4) & 0xFF;
                long start = mbr.getInt(o + 8) & 0xFFFFFFFFL;
                long len = mbr.getInt(o + 12) & 0xFFFFFFFFL;
                if (type == 0 || len == 0) {
                    continue;
                }
                if (type == 0x05 || type == 0x0F || type == 0x85) {
                    extended = start;
                    continue;
                }
                parts.add(new Partition(i + 1, start * 512, len * 512, hex(type), (mbr.get(o) & 0x80) != 0));
            }
            if (extended > 0) {
                logicals(ch, extended, size, parts);
            }
            return new Table(parts.isEmpty() ? Kind.NONE : Kind.MBR, 512, List.copyOf(parts));
        }
    }

    private static void logicals(FileChannel ch, long extended, long size, List<Partition> parts) throws IOException {
        long ebr = extended;
        int number = 5;
        for (int guard = 0; guard < 128 && ebr * 512 < size; guard++) {
            ByteBuffer b = sector(ch, ebr * 512, 512);
            if ((b.get(510) & 0xFF) != 0x55 || (b.get(511) & 0xFF) != 0xAA) {
                return;
            }
            int type = b.get(446 + 4) & 0xFF;
            long start = b.getInt(446 + 8) & 0xFFFFFFFFL;
            long len = b.getInt(446 + 12) & 0xFFFFFFFFL;
            if (type != 0 && len != 0) {
                parts.add(new Partition(number++, (ebr + start) * 512, len * 512, hex(type), (b.get(446) & 0x80) != 0));
            }
            long next = b.getInt(446 + 16 + 8) & 0xFFFFFFFFL;
            if ((b.get(446 + 16 + 4) & 0xFF) == 0 || next == 0) {
                return;
            }
            ebr = extended + next;
        }
    }

    private static Table gpt(FileChannel ch, ByteBuffer h, int ss) throws IOException {
        long entriesLba = h.getLong(72);
        int count = h.getInt(80);
        int entrySize = h.getInt(84);
        if (count <= 0 || count > 1024 || entrySize < 128 || entrySize > 4096) {
            throw new IOException("corrupt GPT header");
        }
        ByteBuffer t = sector(ch, entriesLba * ss, count * entrySize);
        List<Partition> parts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int o = i * entrySize;
            UUID type = guid(t, o);
            if (type.getMostSignificantBits() == 0 && type.getLeastSignificantBits() == 0) {
                continue;
            }
            long first = t.getLong(o + 32);
            long last = t.getLong(o + 40);
            long attrs = t.getLong(o + 48);
            parts.add(new Partition(i + 1, first * ss, (last - first + 1) * ss,
                    type.toString().toUpperCase(Locale.ROOT), (attrs & GptTable.LEGACY_BOOTABLE) != 0));
        }
        return new Table(Kind.GPT, ss, List.copyOf(parts));
    }

    private static UUID guid(ByteBuffer b, int o) {
        long hi = ((long) b.getInt(o) << 32) | ((long) (b.getShort(o + 4) & 0xFFFF) << 16)
                | (b.getShort(o + 6) & 0xFFFF);
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            lo = (lo << 8) | (b.get(o + 8 + i) & 0xFF);
        }
        return new UUID(hi, lo);
    }

    private static String hex(int type) {
        return String.format(Locale.ROOT, "%02X", type);
    }

    private static ByteBuffer sector(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        long p = pos;
        while (b.hasRemaining()) {
            int n = ch.read(b, p);
            if (n < 0) {
                break;
            }
            p += n;
        }
        return b.clear();
    }
}

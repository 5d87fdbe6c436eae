// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * Writes a GUID partition table (protective MBR, primary header and entries, backup entries
 * and header) with 128 entries of 128 bytes, as {@code sgdisk} does.
 */
public final class GptTable {
    /** Attribute bit 2: legacy BIOS bootable. */
    static final long LEGACY_BOOTABLE = 1L << 2;
    private static final int ENTRIES = 128;
    private static final int ENTRY_SIZE = 128;

    /** sgdisk's 4-digit type codes that dib knows, to their GUIDs. */
    private static final Map<String, String> CODES = Map.ofEntries(
            Map.entry("0700", "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"),
            Map.entry("4100", "9E1A2D38-C612-4316-AA26-8B49521E5A8B"),
            Map.entry("8200", "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F"),
            Map.entry("8300", "0FC63DAF-8483-4772-8E79-3D69D8477DE4"),
            Map.entry("8301", "8DA63339-0007-60C0-C436-083AC8230908"),
            Map.entry("8302", "933AC7E1-2EB4-4F13-B844-0E14E2AEF915"),
            Map.entry("8303", "44479540-F297-41B2-9AF7-D131D5F0458A"),
            Map.entry("8304", "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709"),
            Map.entry("8305", "B921B045-1DF0-41C3-AF44-4C6F280D3FAE"),
            Map.entry("8306", "3B8F8425-20E0-4F3B-907F-1A25A76F98E8"),
            Map.entry("8E00", "E6D6D379-F507-44C2-A23C-238F2A3DF928"),
            Map.entry("EF00", "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"),
            Map.entry("EF01", "024DEE41-33E7-11D3-9D69-0008C781F39F"),
            Map.entry("EF02", "21686148-6449-6E6F-744E-656564454649"),
            Map.entry("FD00", "A19D880F-05FC-4D3B-A006-743F0F84911E"));

    /** One partition: first and last sector (inclusive). */
    record Entry(String name, UUID type, UUID guid, long first, long last, long attributes) {
    }

    private GptTable() {
    }

    /** @return the codes dib knows, for messages and tests */
    public static Map<String, String> codes() {
        return CODES;
    }

    /**
     * @param code an sgdisk type code ({@code EF00}, {@code 0x4100}, {@code 8300}) or a GUID
     * @return the type GUID
     * @throws IllegalArgumentException for an unknown code
     */
    public static UUID type(String code) {
        String c = code.strip();
        if (c.matches("(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
            return UUID.fromString(c);
        }
        if (c.toLowerCase(Locale.ROOT).startsWith("0x")) {
            c = c.substring(2);
        }
        c = c.toUpperCase(Locale.ROOT);
        while (c.length() < 4) {
            c = "0" + c;
        }
        String guid = CODES.get(c);
        if (guid == null) {
            throw new IllegalArgumentException("unknown GPT partition type '" + code + "' (known: "
                    + String.join(" ", new java.util.TreeSet<>(CODES.keySet())) + ", or a GUID)");
        }
        return UUID.fromString(guid);
    }

    /** @return the first sector usable for partitions */
    static long firstUsable(int sectorSize) {
        return 2 + (long) ENTRIES * ENTRY_SIZE / sectorSize;
    }

    /** @return the last sector usable for partitions */
    static long lastUsable(long diskSectors, int sectorSize) {
        return diskSectors - 2 - (long) ENTRIES * ENTRY_SIZE / sectorSize;
    }

    /**
     * Writes the table.
     *
     * @param ch         the image
     * @param base       the disk's first byte in the image
     * @param diskBytes  the disk's size
     * @param sectorSize the logical sector size
     * @param disk       the disk GUID
     * @param entries    the partitions, numbered from 1 in this order
     */
    static void write(FileChannel ch, long base, long diskBytes, int sectorSize, UUID disk, List<Entry> entries)
            throws IOException {
        long n = diskBytes / sectorSize;
        int entrySectors = ENTRIES * ENTRY_SIZE / sectorSize;
        ByteBuffer table = ByteBuffer.allocate(ENTRIES * ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            int o = i * ENTRY_SIZE;
            guid(table, o, e.type());
            guid(table, o + 16, e.guid());
            table.putLong(o + 32, e.first());
            table.putLong(o + 40, e.last());
            table.putLong(o + 48, e.attributes());
            byte[] name = e.name().getBytes(StandardCharsets.UTF_16LE);
            table.put(o + 56, name, 0, Math.min(name.length, 72));
        }
        CRC32 crc = new CRC32();
        crc.update(table.array());
        int tableCrc = (int) crc.getValue();

        ByteBuffer pmbr = ByteBuffer.allocate(sectorSize).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(pmbr, base);
        pmbr.clear();
        for (int i = 446; i < 510; i++) {
            pmbr.put(i, (byte) 0);
        }
        pmbr.put(446 + 1, (byte) 0x00);
        pmbr.put(446 + 2, (byte) 0x02);
        pmbr.put(446 + 3, (byte) 0x00);
        pmbr.put(446 + 4, (byte) 0xEE);
        pmbr.put(446 + 5, (byte) 0xFF);
        pmbr.put(446 + 6, (byte) 0xFF);
        pmbr.put(446 + 7, (byte) 0xFF);
        pmbr.putInt(446 + 8, 1);
        pmbr.putInt(446 + 12, (int) Math.min(n - 1, 0xFFFFFFFFL));
        pmbr.put(510, (byte) 0x55);
        pmbr.put(511, (byte) 0xAA);
        put(ch, pmbr, base);

        long backupEntries = n - 1 - entrySectors;
        put(ch, header(sectorSize, 1, n - 1, 2, n, disk, entries.size(), tableCrc), base + sectorSize);
        put(ch, ByteBuffer.wrap(table.array()), base + 2L * sectorSize);
        put(ch, ByteBuffer.wrap(table.array()), base + backupEntries * sectorSize);
        put(ch, header(sectorSize, n - 1, 1, backupEntries, n, disk, entries.size(), tableCrc),
                base + (n - 1) * sectorSize);
    }

    private static ByteBuffer header(int sectorSize, long current, long backup, long entriesLba, long n, UUID disk,
            int count, int tableCrc) {
        ByteBuffer h = ByteBuffer.allocate(sectorSize).order(ByteOrder.LITTLE_ENDIAN);
        h.put(0, "EFI PART".getBytes(StandardCharsets.US_ASCII));
        h.putInt(8, 0x00010000);
        h.putInt(12, 92);
        h.putLong(24, current);
        h.putLong(32, backup);
        h.putLong(40, firstUsable(sectorSize));
        h.putLong(48, lastUsable(n, sectorSize));
        guid(h, 56, disk);
        h.putLong(72, entriesLba);
        h.putInt(80, ENTRIES);
        h.putInt(84, ENTRY_SIZE);
        h.putInt(88, tableCrc);
        CRC32 crc = new CRC32();
        crc.update(h.array(), 0, 92);
        h.putInt(16, (int) crc.getValue());
        return h;
    }

    /** Writes a GUID in the mixed-endian GPT layout. */
    static void guid(ByteBuffer b, int o, UUID u) {
        long hi = u.getMostSignificantBits();
        long lo = u.getLeastSignificantBits();
        b.order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(o, (int) (hi >>> 32));
        b.putShort(o + 4, (short) (hi >>> 16));
        b.putShort(o + 6, (short) hi);
        for (int i = 0; i < 8; i++) {
            b.put(o + 8 + i, (byte) (lo >>> (56 - 8 * i)));
        }
    }

    private static void put(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        b.rewind();
        long p = pos;
        while (b.hasRemaining()) {
            p += ch.write(b, p);
        }
    }
}

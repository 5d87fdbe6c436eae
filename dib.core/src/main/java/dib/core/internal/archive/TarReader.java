// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.archive;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A streaming tar reader for the formats GNU tar, bsdtar and busybox write: ustar, GNU
 * (long names and links, old sparse files) and pax (extended and global headers, sparse
 * formats 0.0, 0.1 and 1.0, {@code SCHILY.xattr.*} and {@code LIBARCHIVE.xattr.*}).
 *
 * <p>Written for dib rather than taken from a library because extended attribute values are
 * binary (file capabilities): they must be kept byte for byte, which a reader that decodes
 * pax values as text cannot do. Not thread-safe.
 */
final class TarReader {
    /** Thrown for input that is not a well-formed tar archive. */
    static final class FormatException extends IOException {
        private static final long serialVersionUID = 1L;

        FormatException(String message) {
            super(message);
        }
    }

    private static final int BLOCK = 512;
    /** Largest pax or GNU long-name header accepted. */
    private static final int MAX_META = 16 << 20;

    private final InputStream in;
    private final byte[] header = new byte[BLOCK];
    private final Map<String, byte[]> global = new HashMap<>();
    private long remaining;
    private long padding;
    private long offset;

    TarReader(InputStream in) {
        this.in = in;
    }

    /** @return the number of bytes consumed so far */
    long offset() {
        return offset;
    }

    /**
     * @return the next member, or null at the end of the archive
     * @throws FormatException for a corrupt or truncated archive
     */
    TarEntry next() throws IOException {
        skip(remaining + padding);
        remaining = 0;
        padding = 0;
        List<Map.Entry<String, byte[]>> pax = new ArrayList<>();
        String longName = null;
        String longLink = null;
        while (true) {
            int n = readBlock(header);
            if (n == 0 || isZero(header)) {
                if (!pax.isEmpty() || longName != null || longLink != null) {
                    throw new FormatException("the archive ends after an extended header at byte " + offset);
                }
                return null;
            }
            checkChecksum();
            byte type = header[156];
            long size = numeric(124, 12, "size");
            if (type == 'V') {
                skip(size + (BLOCK - size % BLOCK) % BLOCK); // a volume label: nothing to extract
                continue;
            }
            if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
                if (size < 0 || size > MAX_META) {
                    throw new FormatException("an extended header of " + size + " bytes at byte " + offset
                            + " is larger than " + MAX_META);
                }
                byte[] data = readData((int) size);
                switch (type) {
                    case 'x':
                        pax.addAll(parsePax(data));
                        break;
                    case 'g':
                        for (Map.Entry<String, byte[]> e : parsePax(data)) {
                            global.put(e.getKey(), e.getValue());
                        }
                        break;
                    case 'L':
                        longName = text(cstring(data, 0, data.length), "long name");
                        break;
                    default:
                        longLink = text(cstring(data, 0, data.length), "long link name");
                        break;
                }
                continue;
            }
            return entry(type, size, pax, longName, longLink);
        }
    }

    /** @return the data of the member last returned by {@link #next()} (sparse: the stored regions) */
    InputStream data() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int r = in.read(b, off, (int) Math.min(len, remaining));
                if (r < 0) {
                    throw new FormatException("the archive is truncated: " + remaining
                            + " bytes of a member's data are missing");
                }
                remaining -= r;
                offset += r;
                return r;
            }
        };
    }

    private TarEntry entry(byte type, long size, List<Map.Entry<String, byte[]>> paxList, String longName,
            String longLink) throws IOException {
        Map<String, byte[]> pax = new HashMap<>(global);
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        List<Long> sparse00 = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : paxList) {
            String k = e.getKey();
            if (k.startsWith("SCHILY.xattr.")) {
                xattrs.put(k.substring("SCHILY.xattr.".length()), e.getValue());
            } else if (k.startsWith("LIBARCHIVE.xattr.")) {
                String name = URLDecoder.decode(k.substring("LIBARCHIVE.xattr.".length()), StandardCharsets.UTF_8);
                try {
                    xattrs.put(name, Base64.getDecoder().decode(padBase64(ascii(e.getValue()))));
                } catch (IllegalArgumentException ex) {
                    throw new FormatException("bad base64 value of extended attribute " + name);
                }
            } else if (k.equals("GNU.sparse.offset") || k.equals("GNU.sparse.numbytes")) {
                sparse00.add(parseLong(ascii(e.getValue()), k));
            } else {
                pax.put(k, e.getValue());
            }
        }
        boolean posix = header[257] == 'u' && header[262] == 0; // "ustar\0": the prefix field is valid
        String name;
        if (pax.containsKey("path")) {
            name = text(pax.get("path"), "path");
        } else if (longName != null) {
            name = longName;
        } else {
            name = text(cstring(header, 0, 100), "name");
            String prefix = posix ? text(cstring(header, 345, 155), "name prefix") : "";
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        String link = pax.containsKey("linkpath") ? text(pax.get("linkpath"), "link name")
                : longLink != null ? longLink : text(cstring(header, 157, 100), "link name");
        if (pax.containsKey("size")) {
            size = parseLong(ascii(pax.get("size")), "size");
        }
        int mode = (int) (numeric(100, 8, "mode") & 07777);
        long uid = pax.containsKey("uid") ? parseLong(ascii(pax.get("uid")), "uid") : numeric(108, 8, "uid");
        long gid = pax.containsKey("gid") ? parseLong(ascii(pax.get("gid")), "gid") : numeric(116, 8, "gid");
        long mtime = numeric(136, 12, "mtime");
        int nanos = 0;
        if (pax.containsKey("mtime")) {
            String t = ascii(pax.get("mtime"));
            int dot = t.indexOf('.');
            mtime = parseLong(dot < 0 ? t : t.substring(0, dot), "mtime");
            if (dot >= 0) {
                String frac = (t.substring(dot + 1) + "000000000").substring(0, 9);
                nanos = (int) parseLong(frac, "mtime");
            }
        }
        int major = pax.containsKey("SCHILY.devmajor") ? (int) parseLong(ascii(pax.get("SCHILY.devmajor")), "devmajor")
                : (int) numeric(329, 8, "devmajor");
        int minor = pax.containsKey("SCHILY.devminor") ? (int) parseLong(ascii(pax.get("SCHILY.devminor")), "devminor")
                : (int) numeric(337, 8, "devminor");
        if (size < 0) {
            throw new FormatException("member " + name + " has a negative size");
        }
        remaining = size;
        padding = (BLOCK - size % BLOCK) % BLOCK;

        TarEntry.Kind kind;
        long realSize = size;
        long[] sparse = null;
        switch (type) {
            case 0:
            case '0':
            case '7':
                kind = TarEntry.Kind.FILE;
                break;
            case '1':
                kind = TarEntry.Kind.HARDLINK;
                break;
            case '2':
                kind = TarEntry.Kind.SYMLINK;
                break;
            case '3':
                kind = TarEntry.Kind.CHARDEV;
                break;
            case '4':
                kind = TarEntry.Kind.BLOCKDEV;
                break;
            case '5':
                kind = TarEntry.Kind.DIRECTORY;
                break;
            case '6':
                kind = TarEntry.Kind.FIFO;
                break;
            case 'S':
                kind = TarEntry.Kind.FILE;
                realSize = numeric(483, 12, "real size");
                sparse = oldGnuSparse();
                break;
            default:
                throw new FormatException("member " + name + " has the unsupported type '"
                        + (type >= 32 && type < 127 ? String.valueOf((char) type) : "\\" + (type & 0xff)) + "'");
        }
        if (kind == TarEntry.Kind.FILE && name.endsWith("/") && type != 'S') {
            // old tars mark directories by a trailing slash only
            kind = TarEntry.Kind.DIRECTORY;
        }
        // pax sparse formats
        if (kind == TarEntry.Kind.FILE && sparse == null) {
            if (pax.containsKey("GNU.sparse.major") && ascii(pax.get("GNU.sparse.major")).equals("1")) {
                realSize = parseLong(ascii(required(pax, "GNU.sparse.realsize", name)), "sparse real size");
                name = text(required(pax, "GNU.sparse.name", name), "sparse name");
                sparse = sparseMap10();
            } else if (pax.containsKey("GNU.sparse.map")) {
                realSize = parseLong(ascii(required(pax, "GNU.sparse.size", name)), "sparse size");
                if (pax.containsKey("GNU.sparse.name")) {
                    name = text(pax.get("GNU.sparse.name"), "sparse name");
                }
                String[] parts = ascii(pax.get("GNU.sparse.map")).split(",");
                if (parts.length % 2 != 0) {
                    throw new FormatException("member " + name + " has an odd sparse map");
                }
                sparse = new long[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    sparse[i] = parseLong(parts[i], "sparse map");
                }
            } else if (!sparse00.isEmpty()) {
                realSize = parseLong(ascii(required(pax, "GNU.sparse.size", name)), "sparse size");
                if (pax.containsKey("GNU.sparse.name")) {
                    name = text(pax.get("GNU.sparse.name"), "sparse name");
                }
                if (sparse00.size() % 2 != 0) {
                    throw new FormatException("member " + name + " has an odd sparse map");
                }
                sparse = sparse00.stream().mapToLong(Long::longValue).toArray();
            }
        }
        if (sparse != null) {
            checkSparse(name, sparse, realSize, remaining);
        }
        return new TarEntry(name, kind, link.isEmpty() ? null : link, mode, uid, gid, mtime, nanos, remaining,
                realSize, major, minor, xattrs, sparse);
    }

    private static byte[] required(Map<String, byte[]> pax, String key, String name) throws FormatException {
        byte[] v = pax.get(key);
        if (v == null) {
            throw new FormatException("member " + name + " is sparse but has no " + key);
        }
        return v;
    }

    /** Old GNU sparse: four regions in the header, more in extension blocks. */
    private long[] oldGnuSparse() throws IOException {
        List<Long> map = new ArrayList<>();
        addRegions(header, 386, 4, map);
        boolean extended = header[482] != 0;
        byte[] ext = new byte[BLOCK];
        while (extended) {
            if (readBlock(ext) != BLOCK) {
                throw new FormatException("the archive ends inside a sparse header");
            }
            addRegions(ext, 0, 21, map);
            extended = ext[504] != 0;
        }
        return map.stream().mapToLong(Long::longValue).toArray();
    }

    private static void addRegions(byte[] b, int off, int count, List<Long> map) throws FormatException {
        for (int i = 0; i < count; i++) {
            int at = off + i * 24;
            if (b[at] == 0) {
                return;
            }
            map.add(numeric(b, at, 12, "sparse offset"));
            map.add(numeric(b, at + 12, 12, "sparse length"));
        }
    }

    /** Sparse format 1.0: the map is at the start of the data, in whole blocks. */
    private long[] sparseMap10() throws IOException {
        long consumed = 0;
        StringBuilder line = new StringBuilder();
        List<Long> numbers = new ArrayList<>();
        long count = -1;
        while (count < 0 || numbers.size() < 2 * count) {
            int c = dataByte();
            consumed++;
            if (c == '\n') {
                long v = parseLong(line.toString(), "sparse map");
                line.setLength(0);
                if (count < 0) {
                    count = v;
                    if (count > (remaining / 2) + 1_000_000) {
                        throw new FormatException("a sparse map claims " + count + " regions");
                    }
                } else {
                    numbers.add(v);
                }
            } else {
                if (line.length() > 20) {
                    throw new FormatException("malformed sparse map");
                }
                line.append((char) c);
            }
        }
        long pad = (BLOCK - consumed % BLOCK) % BLOCK;
        for (long i = 0; i < pad; i++) {
            dataByte();
        }
        return numbers.stream().mapToLong(Long::longValue).toArray();
    }

    private int dataByte() throws IOException {
        if (remaining <= 0) {
            throw new FormatException("malformed sparse map");
        }
        int c = in.read();
        if (c < 0) {
            throw new FormatException("the archive is truncated inside a sparse map");
        }
        remaining--;
        offset++;
        return c;
    }

    private static void checkSparse(String name, long[] map, long realSize, long stored) throws FormatException {
        long end = 0;
        long sum = 0;
        for (int i = 0; i < map.length; i += 2) {
            long off = map[i];
            long len = map[i + 1];
            if (off < end || len < 0 || off > realSize || len > realSize - off) {
                throw new FormatException("member " + name + " has a malformed sparse map (region " + off + "+" + len
                        + " of a " + realSize + "-byte file)");
            }
            end = off + len;
            sum += len;
        }
        if (sum != stored) {
            throw new FormatException("member " + name + " has a sparse map of " + sum + " bytes but stores " + stored);
        }
    }

    private static List<Map.Entry<String, byte[]>> parsePax(byte[] data) throws FormatException {
        List<Map.Entry<String, byte[]>> out = new ArrayList<>();
        int pos = 0;
        while (pos < data.length) {
            if (data[pos] == 0) {
                break; // padding
            }
            int sp = pos;
            while (sp < data.length && data[sp] != ' ') {
                sp++;
            }
            long len = parseLong(new String(data, pos, sp - pos, StandardCharsets.US_ASCII), "pax record length");
            if (sp >= data.length || len <= sp - pos + 1 || pos + len > data.length || data[(int) (pos + len - 1)] != '\n') {
                throw new FormatException("malformed pax header record");
            }
            int end = (int) (pos + len - 1);
            int eq = sp + 1;
            while (eq < end && data[eq] != '=') {
                eq++;
            }
            if (eq >= end) {
                throw new FormatException("malformed pax header record");
            }
            String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
            byte[] value = java.util.Arrays.copyOfRange(data, eq + 1, end);
            out.add(Map.entry(key, value));
            pos = end + 1;
        }
        return out;
    }

    private void checkChecksum() throws FormatException {
        long stored = numeric(148, 8, "checksum");
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            byte b = i >= 148 && i < 156 ? (byte) ' ' : header[i];
            unsigned += b & 0xff;
            signed += b;
        }
        if (stored != unsigned && stored != signed) {
            throw new FormatException("not a tar archive, or a corrupt header at byte " + (offset - BLOCK));
        }
    }

    private long numeric(int off, int len, String what) throws FormatException {
        return numeric(header, off, len, what);
    }

    /** Octal ASCII, or GNU base-256 when the high bit of the first byte is set. */
    static long numeric(byte[] b, int off, int len, String what) throws FormatException {
        if ((b[off] & 0x80) != 0) {
            boolean negative = (b[off] & 0x40) != 0;
            long v = negative ? -1 : 0;
            v = (v << 6) | (b[off] & 0x3f);
            for (int i = off + 1; i < off + len; i++) {
                if (!negative && (v >>> 55) != 0) {
                    throw new FormatException("the " + what + " field overflows");
                }
                v = (v << 8) | (b[i] & 0xff);
            }
            return v;
        }
        int i = off;
        int end = off + len;
        while (i < end && (b[i] == ' ' || b[i] == 0)) {
            i++;
        }
        long v = 0;
        for (; i < end && b[i] != ' ' && b[i] != 0; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 7) {
                throw new FormatException("not a tar archive, or a corrupt " + what + " field");
            }
            if ((v >>> 60) != 0) {
                throw new FormatException("the " + what + " field overflows");
            }
            v = (v << 3) | d;
        }
        return v;
    }

    private static long parseLong(String s, String what) throws FormatException {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new FormatException("malformed " + what + ": " + s);
        }
    }

    private static byte[] cstring(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return java.util.Arrays.copyOfRange(b, off, end);
    }

    private static String ascii(byte[] v) {
        return new String(v, StandardCharsets.US_ASCII);
    }

    private static String padBase64(String s) {
        String t = s.trim();
        return t + "===".substring(0, (4 - t.length() % 4) % 4);
    }

    /** Names must be UTF-8: anything else cannot be represented faithfully as a Java path. */
    private static String text(byte[] v, String what) throws FormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(v)).toString();
        } catch (CharacterCodingException e) {
            throw new FormatException("a member's " + what + " is not UTF-8: "
                    + new String(v, StandardCharsets.UTF_8));
        }
    }

    private byte[] readData(int size) throws IOException {
        byte[] data = new byte[size];
        readFully(data, size);
        skip((BLOCK - size % BLOCK) % BLOCK);
        return data;
    }

    /** @return bytes read: 0 at a clean end, else the whole block */
    private int readBlock(byte[] b) throws IOException {
        int got = 0;
        while (got < BLOCK) {
            int r = in.read(b, got, BLOCK - got);
            if (r < 0) {
                break;
            }
            got += r;
        }
        offset += got;
        if (got != 0 && got != BLOCK) {
            throw new FormatException("the archive is truncated inside a header");
        }
        return got;
    }

    private void readFully(byte[] b, int len) throws IOException {
        int got = 0;
        while (got < len) {
            int r = in.read(b, got, len - got);
            if (r < 0) {
                throw new FormatException("the archive is truncated inside an extended header");
            }
            got += r;
        }
        offset += got;
    }

    private void skip(long n) throws IOException {
        byte[] buf = null;
        while (n > 0) {
            long s = in.skip(n);
            if (s <= 0) {
                if (buf == null) {
                    buf = new byte[8192];
                }
                int r = in.read(buf, 0, (int) Math.min(buf.length, n));
                if (r < 0) {
                    throw new FormatException("the archive is truncated: " + n + " bytes of data are missing");
                }
                s = r;
            }
            n -= s;
            offset += s;
        }
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.test.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes tar archives byte by byte, so that tests can make the malformed and malicious
 * ones no well-behaved tool would write.
 */
final class TarBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A member header; set fields, then {@link #add}. */
    static final class Member {
        String name;
        char type = '0';
        String link = "";
        int mode = 0644;
        long uid;
        long gid;
        long mtime = 1_700_000_000L;
        long size = -1; // -1: the data's length
        byte[] data = new byte[0];
        /** pax records written in an 'x' header before the member */
        final Map<String, byte[]> pax = new LinkedHashMap<>();
        /** when false the size field is written in GNU base-256 */
        boolean octalSize = true;
        /** breaks the header checksum */
        boolean badChecksum;

        Member(String name, char type) {
            this.name = name;
            this.type = type;
        }

        Member data(String s) {
            data = s.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        Member link(String l) {
            link = l;
            return this;
        }

        Member pax(String key, String value) {
            pax.put(key, value.getBytes(StandardCharsets.UTF_8));
            return this;
        }
    }

    static Member file(String name, String content) {
        return new Member(name, '0').data(content);
    }

    static Member dir(String name) {
        Member m = new Member(name, '5');
        m.mode = 0755;
        return m;
    }

    static Member symlink(String name, String target) {
        return new Member(name, '2').link(target);
    }

    static Member hardlink(String name, String target) {
        return new Member(name, '1').link(target);
    }

    TarBuilder add(Member m) {
        if (!m.pax.isEmpty()) {
            ByteArrayOutputStream p = new ByteArrayOutputStream();
            for (Map.Entry<String, byte[]> e : m.pax.entrySet()) {
                byte[] kv = concat((" " + e.getKey() + "=").getBytes(StandardCharsets.UTF_8), e.getValue(),
                        new byte[] {'\n'});
                int len = kv.length + 1;
                while (Integer.toString(len).length() + kv.length != len) {
                    len++;
                }
                p.writeBytes(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
                p.writeBytes(kv);
            }
            Member x = new Member("PaxHeaders/" + m.name, 'x');
            x.data = p.toByteArray();
            header(x, x.data.length);
            body(x.data);
        }
        long size = m.size >= 0 ? m.size : m.data.length;
        header(m, size);
        body(m.data);
        return this;
    }

    /** Raw bytes (for truncated archives). */
    TarBuilder raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    byte[] bytes() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(out.toByteArray());
        b.writeBytes(new byte[1024]);
        return b.toByteArray();
    }

    /** @return the archive without its end blocks */
    byte[] unterminated() {
        return out.toByteArray();
    }

    Path write(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }

    private void header(Member m, long size) {
        byte[] h = new byte[512];
        put(h, 0, 100, m.name.getBytes(StandardCharsets.UTF_8));
        octal(h, 100, 8, m.mode);
        octal(h, 108, 8, m.uid);
        octal(h, 116, 8, m.gid);
        if (m.octalSize) {
            octal(h, 124, 12, size);
        } else {
            h[124] = (byte) 0x80;
            for (int i = 0; i < 8; i++) {
                h[135 - i] = (byte) (size >>> (8 * i));
            }
        }
        octal(h, 136, 12, m.mtime);
        h[156] = (byte) m.type;
        put(h, 157, 100, m.link.getBytes(StandardCharsets.UTF_8));
        put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, m.badChecksum ? sum + 1 : sum);
        out.writeBytes(h);
    }

    private void body(byte[] data) {
        out.writeBytes(data);
        int pad = (512 - data.length % 512) % 512;
        out.writeBytes(new byte[pad]);
    }

    private static void put(byte[] h, int off, int len, byte[] v) {
        System.arraycopy(v, 0, h, off, Math.min(len, v.length));
    }

    private static void octal(byte[] h, int off, int len, long v) {
        String s = Long.toOctalString(v);
        while (s.length() < len - 1) {
            s = "0" + s;
        }
        put(h, off, len - 1, s.getBytes(StandardCharsets.US_ASCII));
        h[off + len - 1] = 0;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}

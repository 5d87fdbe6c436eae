// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Just enough ELF to tell a dynamically linked executable (one with a program interpreter). */
final class Elf {
    private static final int PT_INTERP = 3;

    private Elf() {
    }

    /**
     * @param file a file the JVM can read
     * @return the program interpreter it names (for example {@code /lib64/ld-linux-x86-64.so.2}),
     *         or null for a static ELF file or anything that is not ELF
     */
    static String interpreter(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer h = ByteBuffer.allocate(64);
            if (ch.read(h, 0) < 52) {
                return null;
            }
            h.flip();
            if (h.getInt(0) != 0x7f454c46) { // \x7fELF, read big-endian
                return null;
            }
            boolean is64 = h.get(4) == 2;
            h.order(h.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            long phoff = is64 ? h.getLong(32) : Integer.toUnsignedLong(h.getInt(28));
            int phentsize = Short.toUnsignedInt(h.getShort(is64 ? 54 : 42));
            int phnum = Short.toUnsignedInt(h.getShort(is64 ? 56 : 44));
            if (phentsize == 0 || phnum == 0 || phnum > 4096) {
                return null;
            }
            ByteBuffer ph = ByteBuffer.allocate(phentsize * phnum).order(h.order());
            ch.read(ph, phoff);
            for (int i = 0; i < phnum; i++) {
                int base = i * phentsize;
                if (base + (is64 ? 40 : 20) > ph.position()) {
                    break;
                }
                if (ph.getInt(base) == PT_INTERP) {
                    long off = is64 ? ph.getLong(base + 8) : Integer.toUnsignedLong(ph.getInt(base + 4));
                    long size = is64 ? ph.getLong(base + 32) : Integer.toUnsignedLong(ph.getInt(base + 16));
                    if (size <= 0 || size > 4096) {
                        return null;
                    }
                    ByteBuffer s = ByteBuffer.allocate((int) size);
                    ch.read(s, off);
                    String str = new String(s.array(), 0, s.position(), StandardCharsets.UTF_8);
                    int nul = str.indexOf('\0');
                    return nul >= 0 ? str.substring(0, nul) : str;
                }
            }
            return null;
        }
    }
}

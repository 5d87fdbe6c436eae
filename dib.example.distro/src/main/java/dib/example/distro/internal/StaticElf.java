// SPDX-License-Identifier: Apache-2.0
package dib.example.distro.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Tells a statically linked ELF program from anything else, by reading its program headers:
 * a dynamically linked program has a {@code PT_INTERP} header naming its loader, which a
 * busybox copied into an empty tree could not find.
 */
public final class StaticElf {
    private static final int PT_INTERP = 3;

    private StaticElf() {
    }

    /**
     * @param file a file
     * @return null when the file is a statically linked ELF executable, else why it is not
     * @throws IOException if the file cannot be read
     */
    public static String problem(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer h = ByteBuffer.allocate(64);
            ch.read(h, 0);
            h.flip();
            if (h.limit() < 52 || h.getInt(0) != 0x7f454c46) {
                return "not an ELF program";
            }
            boolean is64 = h.get(4) == 2;
            h.order(h.get(5) == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            int type = Short.toUnsignedInt(h.getShort(16));
            if (type != 2 && type != 3) { // ET_EXEC, ET_DYN (static-pie)
                return "not an ELF executable";
            }
            long phoff = is64 ? h.getLong(32) : Integer.toUnsignedLong(h.getInt(28));
            int phentsize = Short.toUnsignedInt(h.getShort(is64 ? 54 : 42));
            int phnum = Short.toUnsignedInt(h.getShort(is64 ? 56 : 44));
            ByteBuffer ph = ByteBuffer.allocate(4).order(h.order());
            for (int i = 0; i < phnum; i++) {
                ph.clear();
                if (ch.read(ph, phoff + (long) i * phentsize) < 4) {
                    return "a truncated ELF file";
                }
                if (ph.getInt(0) == PT_INTERP) {
                    return "dynamically linked (it needs a program loader the tree does not have)";
                }
            }
            return null;
        }
    }
}

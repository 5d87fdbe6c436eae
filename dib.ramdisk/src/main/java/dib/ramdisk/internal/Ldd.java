// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the output of {@code ldd}. Each line names one object the dynamic loader maps; the
 * shapes seen in the wild are:
 * <ul>
 * <li>{@code libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)}: a soname and where it was found</li>
 * <li>{@code /lib64/ld-linux-x86-64.so.2 (0x...)}: the dynamic loader by the path the binary names</li>
 * <li>{@code /lib64/ld-linux-x86-64.so.2 => /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 (0x...)}: both</li>
 * <li>{@code linux-vdso.so.1 =>  (0x...)} or {@code linux-vdso.so.1 (0x...)}: the kernel's vDSO, no file</li>
 * <li>{@code libfoo.so.1 => not found}: a library the tree lacks</li>
 * <li>{@code statically linked} / {@code not a dynamic executable}: nothing to copy</li>
 * </ul>
 */
public final class Ldd {
    /**
     * One object to copy.
     *
     * @param ref  the name the binary or loader refers to it by: a soname or an absolute path
     * @param real the absolute path ldd found it at
     */
    public record Lib(String ref, String real) {
    }

    /**
     * @param output ldd's standard output for one binary
     * @param missing receives the sonames ldd reported as not found
     * @return the objects with a real path, in output order
     */
    public static List<Lib> parse(String output, List<String> missing) {
        List<Lib> libs = new ArrayList<>();
        for (String raw : output.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            // drop the load address
            int paren = line.lastIndexOf(" (0x");
            if (paren >= 0 && line.endsWith(")")) {
                line = line.substring(0, paren).strip();
            } else if (line.startsWith("(0x")) {
                continue;
            }
            String ref;
            String real;
            int arrow = line.indexOf("=>");
            if (arrow >= 0) {
                ref = line.substring(0, arrow).strip();
                real = line.substring(arrow + 2).strip();
                if (real.equals("not found")) {
                    missing.add(ref);
                    continue;
                }
            } else {
                ref = line;
                real = line;
            }
            if (!real.startsWith("/") || real.contains(" ")) {
                continue; // vDSO, "statically linked", "not a dynamic executable", ...
            }
            libs.add(new Lib(ref, real));
        }
        return libs;
    }

    private Ldd() {
    }
}

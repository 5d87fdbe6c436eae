// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dib.ramdisk.internal.Ldd;
import dib.ramdisk.internal.Ldd.Lib;
import dib.ramdisk.internal.Versions;

class LddTest {
    @Test
    void everyShapeOfLddOutput() {
        String out = String.join("\n",
                "\tlinux-vdso.so.1 (0x00007ffd1c9e6000)",
                "\tlinux-vdso.so.1 =>  (0x00007fff0c5ff000)",
                "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f095e784000)",
                "\t/lib64/ld-linux-x86-64.so.2 (0x00007f095ef79000)",
                "\t/lib64/ld-linux-x86-64.so.2 => /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 (0x00007facff857000)",
                "\tlibsystemd-shared-252.so => /usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so (0x1)",
                "\tlibgone.so.3 => not found",
                "\tstatically linked",
                "\tnot a dynamic executable",
                "");
        List<String> missing = new ArrayList<>();
        List<Lib> libs = Ldd.parse(out, missing);
        assertEquals(List.of(
                new Lib("libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6"),
                new Lib("/lib64/ld-linux-x86-64.so.2", "/lib64/ld-linux-x86-64.so.2"),
                new Lib("/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
                new Lib("libsystemd-shared-252.so",
                        "/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so")), libs);
        assertEquals(List.of("libgone.so.3"), missing);
    }

    @Test
    void kernelVersionsSortLikeSortV() {
        List<String> v = new ArrayList<>(List.of("6.1.0-9-amd64", "6.1.0-56-amd64", "5.10.0-28-amd64",
                "6.1.0-10-amd64"));
        v.sort(Versions.NATURAL);
        assertEquals(List.of("5.10.0-28-amd64", "6.1.0-9-amd64", "6.1.0-10-amd64", "6.1.0-56-amd64"), v);
    }
}

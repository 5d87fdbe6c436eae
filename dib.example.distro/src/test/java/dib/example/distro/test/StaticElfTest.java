// SPDX-License-Identifier: Apache-2.0
package dib.example.distro.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.example.distro.internal.StaticElf;

/** The check that keeps a dynamically linked busybox out of the tinybox tree. */
class StaticElfTest {
    @TempDir
    Path tmp;

    @Test
    void theHostsStaticBusyboxPasses() throws Exception {
        Path bb = Path.of("/bin/busybox");
        assumeTrue(Files.isRegularFile(bb), "busybox-static is installed");
        assertNull(StaticElf.problem(bb.toRealPath()));
    }

    @Test
    void aDynamicProgramIsNamedAsSuch() throws Exception {
        // the JVM's own launcher is always dynamically linked
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        assertEquals("dynamically linked (it needs a program loader the tree does not have)",
                StaticElf.problem(java));
    }

    @Test
    void aScriptIsNotAnElfProgram() throws Exception {
        Path f = Files.writeString(tmp.resolve("busybox"), "#!/bin/sh\necho hi\n");
        assertEquals("not an ELF program", StaticElf.problem(f));
        assertEquals("not an ELF program", StaticElf.problem(Files.write(tmp.resolve("empty"), new byte[0])));
    }
}

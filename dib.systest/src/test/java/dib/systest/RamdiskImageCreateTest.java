// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/ramdisk-image-create} end to end (dib.ramdisk): the busybox fixture with the
 * host's kernel and modules becomes NAME.kernel + NAME.initramfs, twice with the same
 * SOURCE_DATE_EPOCH and identical bytes, and the pair boots under qemu (software emulation)
 * to the test elements' init.d markers; a binary-deps.d entry the image lacks fails the
 * build naming the element and the binary, leaving nothing behind.
 */
@Tag("root")
class RamdiskImageCreateTest {
    /** The ramdisk bundle's test elements (markers, missing binary). */
    static final Path RAMDISK_TEST_ELEMENTS = Dib.TOP.resolve("dib.ramdisk/src/test/elements");

    @TempDir
    static Path work;
    static Path tmp;
    static Path out;
    static Dib.Result first;
    static Dib.Result second;

    static Dib dib(Path cwd) {
        return new Dib(cwd).env("TMP_DIR", tmp.toString())
                .env("ELEMENTS_PATH", Dib.TEST_ELEMENTS + ":" + RAMDISK_TEST_ELEMENTS)
                .env("DIB_IMAGE_CACHE", work.resolve("cache").toString()).env("DIB_FIXTURE_KERNEL", "1")
                .env("SOURCE_DATE_EPOCH", "1700000000");
    }

    @BeforeAll
    static void build() throws Exception {
        tmp = Files.createDirectories(work.resolve("tmp"));
        out = Files.createDirectories(work.resolve("out"));
        // -t tar: until a qcow2 output is installed (dib.blockdevice) the engine checks the
        // default type even in ramdisk mode, where no disk image is written
        first = dib(out).run("ramdisk-image-create", "-o", "one", "fixture-busybox",
                "ramdisk-test-markers");
        second = dib(out).run("ramdisk-image-create", "-o", "two", "fixture-busybox",
                "ramdisk-test-markers");
    }

    @Test
    void writesKernelAndInitramfsReproducibly() throws Exception {
        assertEquals(0, first.exit(), first.all());
        assertEquals(0, second.exit(), second.all());
        byte[] one = Files.readAllBytes(out.resolve("one.initramfs"));
        assertArrayEquals(one, Files.readAllBytes(out.resolve("two.initramfs")),
                "same inputs and SOURCE_DATE_EPOCH: identical initramfs bytes");
        assertEquals(0x1f, one[0] & 0xff, "gzip");
        assertEquals(0x8b, one[1] & 0xff, "gzip");
        assertTrue(Files.size(out.resolve("one.kernel")) > 1_000_000);
        String init = sh("zcat \"$0\" | cpio -i --quiet --to-stdout init", out.resolve("one.initramfs").toString());
        assertTrue(init.contains("# init fragment from 50-test-marker-one (element ramdisk-test-markers)"), init);
        assertTrue(init.contains("# init fragment from 10-start-base-system (element ramdisk-base)"), init);
        assertEquals(List.of(), Leftovers.under(tmp));
    }

    @Test
    void thePairBootsToTheFragmentMarkers() throws Exception {
        assertEquals(0, first.exit(), first.all());
        Path console = work.resolve("console.log");
        Process q = new ProcessBuilder("setpriv", "--pdeathsig", "KILL", "qemu-system-x86_64", "-accel", "tcg", "-m",
                "1024", "-smp", "1", "-kernel", out.resolve("one.kernel").toString(), "-initrd",
                out.resolve("one.initramfs").toString(), "-append", "console=ttyS0 panic=-1", "-display", "none",
                "-monitor", "none", "-serial", "file:" + console, "-nic", "none", "-no-reboot")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
        try {
            // the ramdisk reboots when its init is done: qemu exits (-no-reboot)
            boolean exited = q.waitFor(300, TimeUnit.SECONDS);
            String c = Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
            assertTrue(exited, "the ramdisk did not finish within 300 s:\n" + c);
            int one = c.indexOf("DIB-RAMDISK-MARKER-ONE");
            int two = c.indexOf("DIB-RAMDISK-MARKER-TWO shared=from-one installed=yes");
            assertTrue(one > 0 && two > one, c);
            assertTrue(c.indexOf("\nrebooting", two) > 0, c);
        } finally {
            q.destroyForcibly();
            q.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void missingBinaryFailsNamingElementAndBinary() throws Exception {
        Path t = Files.createDirectories(work.resolve("tmp-missing"));
        Dib.Result r = dib(out).env("TMP_DIR", t.toString()).env("DIB_FIXTURE_KERNEL", "0")
                .run("ramdisk-image-create", "-o", "missing", "fixture-busybox", "ramdisk-test-missing");
        assertNotEquals(0, r.exit(), r.all());
        String all = r.stdout() + r.stderr();
        assertTrue(all.contains("element 'ramdisk-test-missing' needs 'dib-no-such-tool'"), r.all());
        assertFalse(Files.exists(out.resolve("missing.initramfs")));
        assertFalse(Files.exists(out.resolve("missing.kernel")));
        assertEquals(List.of(), Leftovers.under(t));
    }

    private static String sh(String script, String arg) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", script, arg).redirectErrorStream(true).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return s;
    }
}

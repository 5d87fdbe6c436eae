// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.blockdevice.internal.Outputs;
import dib.core.build.BuildRequest;
import dib.core.sandbox.ClosableSandbox;
import dib.core.sandbox.Sandboxes;

/** Every output type from one MBR build of the fixture, checked from outside. */
@Tag("root")
class OutputsTest {
    @TempDir
    static Path work;
    private static Path tree;
    private static Pipeline.Result result;
    private static long rawSize;

    @BeforeAll
    static void build() throws Exception {
        tree = Fixtures.busyboxTree(work.resolve("tree"), false);
        Files.createDirectories(tree.resolve("proc/self"));
        Files.writeString(tree.resolve("proc/self/leak"), "must not be archived\n");
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            TestBuild b = new TestBuild(work.resolve("b"), sb, BuildRequest.builder().env("DIB_IMAGE_EXTRA_SIZE", "100")
                    .build(), Fixtures.elements("fixture-busybox", "vm", "block-device-mbr", "bootloader"));
            result = Pipeline.run(b, tree, true, List.of("tgz", "squashfs", "qcow2", "vhd", "vmdk", "raw"));
        }
        rawSize = Files.size(result.outputs().get("raw"));
    }


    @Test
    void diskFormats() throws Exception {
        Map<String, String> qemu = Map.of("qcow2", "qcow2", "vhd", "vpc", "vmdk", "vmdk", "raw", "raw");
        for (Map.Entry<String, String> e : qemu.entrySet()) {
            Path out = result.outputs().get(e.getKey());
            assertTrue(out.getFileName().toString().endsWith("." + e.getKey()), out.toString());
            assertEquals(e.getValue(), Inspect.format(out), e.getKey());
            assertEquals(rawSize, Inspect.virtualSize(out), e.getKey() + " keeps the disk size");
            assertEquals(0, Fixtures.status("qemu-img", "compare", "-f", "raw", "-F", e.getValue(),
                    result.outputs().get("raw").toString(), out.toString()), e.getKey() + " holds the same disk");
        }
        assertEquals("dos", Inspect.label(result.outputs().get("raw")));
    }

    @Test
    void qcow2IsCompressedUnlessAskedNot() throws Exception {
        Path raw = result.outputs().get("raw");
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            TestBuild plain = new TestBuild(work.resolve("u"), sb, BuildRequest.builder().uncompressed(true).build(),
                    List.of());
            Path u = work.resolve("u.qcow2");
            new Outputs.Qcow2().write(plain, raw, u);
            long compressed = Files.size(result.outputs().get("qcow2"));
            assertTrue(compressed < Files.size(u), "compressed " + compressed + " < uncompressed " + Files.size(u));
            TestBuild opts = new TestBuild(work.resolve("o"), sb, BuildRequest.builder().qemuImgOptions("compat=0.10")
                    .build(), List.of());
            Path o = work.resolve("o.qcow2");
            new Outputs.Qcow2().write(opts, raw, o);
            assertTrue(Fixtures.run("qemu-img", "info", o.toString()).contains("compat: 0.10"),
                    "--qemu-img-options reach qemu-img as -o");
        }
    }

    @Test
    void tgzHoldsTheTreeWithoutProc() throws Exception {
        Path tgz = result.outputs().get("tgz");
        assertEquals("gzip", Fixtures.run("file", "-b", "--mime-type", tgz.toString()).strip().replace("application/",
                "").replace("x-", ""));
        String list = Fixtures.run("tar", "-tzf", tgz.toString());
        assertTrue(list.contains("./bin/busybox"), list);
        assertTrue(list.contains("./etc/fstab"), "written from the finished tree");
        assertFalse(list.contains("proc/self/leak"), "./proc is excluded");
    }

    @Test
    void squashfsHoldsTheTreeWithoutProcContents() throws Exception {
        Path sq = result.outputs().get("squashfs");
        assertTrue(sq.getFileName().toString().endsWith(".squash"));
        String list = Fixtures.run("unsquashfs", "-l", sq.toString());
        assertTrue(list.contains("squashfs-root/bin/busybox"), list);
        assertTrue(list.contains("squashfs-root/proc\n"), "the directory stays");
        assertFalse(list.contains("proc/self"), "its contents do not");
        assertTrue(Fixtures.run("unsquashfs", "-s", sq.toString()).contains("Compression xz"));
    }
}

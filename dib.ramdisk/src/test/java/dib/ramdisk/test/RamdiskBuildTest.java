// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

import dib.core.sandbox.ClosableSandbox;
import dib.core.sandbox.Exec;
import dib.core.sandbox.Sandboxes;
import dib.ramdisk.internal.RamdiskBuildCommand;

/** The ramdisk builder on real trees, called as the post-root hook calls it. Needs root. */
@Tag("root")
class RamdiskBuildTest {
    private final RamdiskBuildCommand command = new RamdiskBuildCommand();

    @Test
    void missingBinaryFailsNamingElementAndBinaryAndLeavesNothing(@TempDir Path dir) throws Exception {
        long holder;
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            holder = sb.holderPid();
            Fixtures.busybox(sb, dir.resolve("mnt"), true);
            TestBuild b = new TestBuild(sb, dir, dir.resolve("mnt"),
                    List.of(Fixtures.element("ramdisk-base"), Fixtures.element("ramdisk-test-missing")));
            TestBuild.Outcome o = b.call(command);
            assertEquals(1, o.status(), o.out() + o.err());
            String err = o.err().strip();
            assertEquals(1, err.lines().count(), "one line: " + err);
            assertTrue(err.contains("element 'ramdisk-test-missing'") && err.contains("'dib-no-such-tool'")
                    && err.contains("not installed in the image"), err);
            assertFalse(Fixtures.exists(dir.resolve("ramdisk")), "no work directory, tree or output is left");
        }
        assertFalse(Fixtures.mountedUnder(dir), "nothing mounted under " + dir);
        assertFalse(Files.exists(Path.of("/proc", Long.toString(holder))), "no process left");
    }

    @Test
    void missingKernelIsOneClearLine(@TempDir Path dir) throws Exception {
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            Fixtures.busybox(sb, dir.resolve("mnt"), false);
            TestBuild b = new TestBuild(sb, dir, dir.resolve("mnt"), List.of(Fixtures.element("ramdisk-base")));
            TestBuild.Outcome o = b.call(command);
            assertEquals(1, o.status());
            assertTrue(o.err().strip().startsWith("ramdisk-build: no kernel in the image"), o.err());
            b.env.put("DIB_KERNEL_VERSION", "9.9.9-nope");
            o = b.call(command);
            assertEquals(1, o.status());
            assertTrue(o.err().contains("kernel 9.9.9-nope is not in the image"), o.err());
            b.env.put("DIB_RAMDISK_COMPRESSION", "lz4");
            o = b.call(command);
            assertEquals(1, o.status());
            assertTrue(o.err().contains("DIB_RAMDISK_COMPRESSION=lz4 is not one of gzip, xz, zstd, none"), o.err());
        }
    }

    @Test
    void sameInputsAndSourceDateEpochGiveIdenticalBytes(@TempDir Path dir) throws Exception {
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            Fixtures.busybox(sb, dir.resolve("mnt"), true);
            TestBuild b = new TestBuild(sb, dir, dir.resolve("mnt"),
                    List.of(Fixtures.element("ramdisk-base"), Fixtures.element("ramdisk-test-markers"),
                            Fixtures.element("mellanox")));
            b.env.put("SOURCE_DATE_EPOCH", "1700000000");
            Files.createDirectories(dir.resolve("mnt/lib/firmware/dib-test"));
            Files.writeString(dir.resolve("mnt/lib/firmware/dib-test/fw.bin"), "firmware");
            TestBuild.Outcome o = b.call(command);
            assertEquals(0, o.status(), o.out() + o.err());
            byte[] first = Files.readAllBytes(dir.resolve("ramdisk/initramfs"));
            // touch the inputs' times: with SOURCE_DATE_EPOCH they must not matter
            sb.check(Exec.of("touch", dir.resolve("mnt/bin/busybox").toString()));
            o = b.call(command);
            assertEquals(0, o.status(), o.out() + o.err());
            byte[] second = Files.readAllBytes(dir.resolve("ramdisk/initramfs"));
            assertArrayEquals(first, second, "two builds, identical initramfs bytes");
            assertFalse(Fixtures.exists(dir.resolve("ramdisk/tree")), "the assembled tree is removed");

            Map<String, CpioArchiveEntry> entries = new LinkedHashMap<>();
            Map<String, byte[]> data = new LinkedHashMap<>();
            byte[] cpio = read(new GZIPInputStream(new ByteArrayInputStream(first)), entries, data);
            List<String> names = List.copyOf(entries.keySet());
            assertEquals(names.stream().sorted().toList(), names, "entries are sorted");
            for (CpioArchiveEntry e : entries.values()) {
                assertEquals(1700000000L, e.getTime(), e.getName()); // seconds
                assertEquals(0, e.getUID(), e.getName());
            }
            String v = Fixtures.hostKernel();
            assertTrue(entries.containsKey("dev/console") && entries.get("dev/console").isCharacterDevice());
            assertTrue(entries.containsKey("bin/busybox") && entries.get("bin/busybox").isRegularFile());
            assertTrue(entries.get("bin/sh").isSymbolicLink());
            assertEquals("busybox", new String(data.get("bin/sh"), StandardCharsets.UTF_8));
            assertTrue(entries.containsKey("lib/modules/" + v + "/kernel/drivers/virtio/virtio.ko"), "modules");
            assertFalse(names.stream().anyMatch(n -> n.matches(".*/drivers/video/.*fb\\.ko")), "no fb drivers");
            assertTrue(names.stream().anyMatch(n -> n.startsWith("lib/modules/" + v + "/kernel/drivers/video/")),
                    "other video modules stay");
            assertEquals("firmware", new String(data.get("lib/firmware/dib-test/fw.bin"), StandardCharsets.UTF_8));
            assertTrue(entries.containsKey("lib/udev/rules.d/90-dib-test.rules"), "udev.d rule");
            assertTrue(entries.containsKey("lib/udev/rules.d/81-mellanox-drivers.rules"), "mellanox udev rule");
            assertEquals("yes\n", new String(data.get("etc/dib-test-installed"), StandardCharsets.UTF_8),
                    "ramdisk-install.d ran on the ramdisk tree");
            String init = new String(data.get("init"), StandardCharsets.UTF_8);
            assertEquals(0755, entries.get("init").getMode() & 07777);
            int mel = init.indexOf("# init fragment from 01-mellanox (element mellanox)");
            int one = init.indexOf("# init fragment from 50-test-marker-one (element ramdisk-test-markers)");
            int two = init.indexOf("# init fragment from 60-test-marker-two (element ramdisk-test-markers)");
            int end = init.indexOf("# ---------------------------------------------------------------- init-end");
            assertTrue(init.startsWith("#!/bin/sh\n") && mel > 0 && mel < one && one < two && two < end, init);
            assertArrayEquals(Files.readAllBytes(Path.of("/boot/vmlinuz-" + v)),
                    Files.readAllBytes(dir.resolve("ramdisk/kernel")), "the kernel is copied");

            // xz and zstd: the same archive inside
            b.env.put("DIB_RAMDISK_COMPRESSION", "xz");
            assertEquals(0, b.call(command).status());
            byte[] xz = Files.readAllBytes(dir.resolve("ramdisk/initramfs"));
            assertArrayEquals(cpio, read(new XZInputStream(new ByteArrayInputStream(xz)), null, null));
            b.env.put("DIB_RAMDISK_COMPRESSION", "zstd");
            assertEquals(0, b.call(command).status());
            byte[] zst = sb.check(Exec.of("sh", "-c", "zstd -dc < \"$0\" | base64 -w0",
                    dir.resolve("ramdisk/initramfs").toString()).capture().quiet()).stdout().getBytes();
            assertArrayEquals(cpio, java.util.Base64.getDecoder().decode(new String(zst).strip()));
        }
        assertFalse(Fixtures.mountedUnder(dir));
    }

    /** Reads a cpio archive; fills entries and contents (file data, link targets) when given. */
    static byte[] read(InputStream compressed, Map<String, CpioArchiveEntry> entries, Map<String, byte[]> data)
            throws IOException {
        byte[] raw;
        try (InputStream in = new BufferedInputStream(compressed)) {
            raw = in.readAllBytes();
        }
        if (entries != null) {
            try (CpioArchiveInputStream c = new CpioArchiveInputStream(new ByteArrayInputStream(raw))) {
                CpioArchiveEntry e;
                while ((e = c.getNextEntry()) != null) {
                    entries.put(e.getName(), e);
                    data.put(e.getName(), c.readAllBytes());
                }
            }
        }
        return raw;
    }

    @Test
    void debianTreeGetsExecutablesWithTheirLibrariesAndLoader(@TempDir Path dir) throws Exception {
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            Fixtures.debian(sb, dir.resolve("mnt"));
            TestBuild b = new TestBuild(sb, dir, dir.resolve("mnt"),
                    List.of(Fixtures.element("ramdisk-base"), Fixtures.element("deploy-tgtadm"),
                            Fixtures.element("deploy"), Fixtures.element("deploy-ironic")));
            b.env.put("DIB_RAMDISK_KEEP_TREE", "1");
            TestBuild.Outcome o = b.call(command);
            assertEquals(0, o.status(), o.out() + o.err());
            Path t = dir.resolve("ramdisk/tree");
            for (String f : List.of("bin/busybox", "bin/tgtd", "bin/tgtadm", "bin/curl", "bin/udevadm",
                    "bin/systemd-udevd", "lib/libc.so.6", "lib/ld-linux-x86-64.so.2")) {
                assertTrue(Files.isRegularFile(t.resolve(f)), f);
            }
            // the loader keeps the path binaries name
            assertEquals("/lib/ld-linux-x86-64.so.2", Files.readSymbolicLink(t.resolve("lib64/ld-linux-x86-64.so.2"))
                    .toString());
            // the copied programs run inside the ramdisk tree alone
            for (List<String> cmd : List.of(List.of("/bin/curl", "--version"), List.of("/bin/tgtadm", "--help"),
                    List.of("/bin/udevadm", "--version"), List.of("/bin/sh", "-c", "wget --help 2>&1 | head -1"))) {
                var r = sb.run(Exec.of(cmd).chroot(t).capture().quiet());
                assertTrue(r.exitStatus() == 0, cmd + " in the ramdisk: " + r.exitStatus() + " " + r.tail());
            }
        }
        assertFalse(Fixtures.mountedUnder(dir));
    }

    @Test
    void mellanoxInstallsItsRuleAndModulesInDiskImages(@TempDir Path dir) throws Exception {
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            Path tree = dir.resolve("mnt");
            Fixtures.debian(sb, tree);
            Path hooks = tree.resolve("tmp/in_target.d");
            Path mel = Fixtures.element("mellanox");
            Files.createDirectories(hooks.resolve("udev.d"));
            Files.createDirectories(hooks.resolve("install.d"));
            Files.copy(mel.resolve("udev.d/81-mellanox-drivers.rules"), hooks.resolve("udev.d/81-mellanox-drivers.rules"));
            Files.copy(mel.resolve("install.d/65-mellanox"), hooks.resolve("install.d/65-mellanox"));
            for (int i = 0; i < 2; i++) { // twice: nothing is added twice
                sb.check(Exec.of("bash", "/tmp/in_target.d/install.d/65-mellanox").chroot(tree).quiet());
            }
            assertArrayEquals(Files.readAllBytes(mel.resolve("udev.d/81-mellanox-drivers.rules")),
                    Files.readAllBytes(tree.resolve("etc/udev/rules.d/81-mellanox.rules")));
            List<String> modules = Files.readAllLines(tree.resolve("etc/modules")).stream()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
            assertEquals(List.of("mlx4_en", "mlx4_ib", "ib_ipoib", "mlx5_ib", "ib_umad", "ib_uverbs"), modules);
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

import dib.core.build.BuildRequest;
import dib.core.sandbox.ClosableSandbox;
import dib.core.sandbox.Sandboxes;

/**
 * Builds every layout from the busybox fixture tree and checks the result from outside:
 * qemu-img, sfdisk, blkid, the file system checkers, debugfs and mtools.
 */
@Tag("root")
class LayoutTest {
    private static final long MIB = 1 << 20;
    @TempDir
    static Path work;
    private static Path tree;
    private static long treeKiB;

    @BeforeAll
    static void fixture() throws Exception {
        tree = Fixtures.busyboxTree(work.resolve("tree"), false);
        treeKiB = Long.parseLong(Fixtures.run("du", "-s", "-x", "--block-size=1K", tree.toString()).split("\\s+")[0]);
    }


    private static Pipeline.Result build(Path dir, BuildRequest.Builder r, boolean bootloader, List<String> types,
            String... elements) throws Exception {
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            TestBuild b = new TestBuild(dir, sb, r.build(), Fixtures.elements(elements));
            Pipeline.Result res = Pipeline.run(b, tree, bootloader, types);
            assertEquals(List.of(), Fixtures.leftovers(dir), "nothing mounted or attached is left");
            assertFalse(Files.exists(dir.resolve("image/image0.raw")), "the raw image is gone after close");
            return res;
        }
    }

    private static long roundUp64(long kib) {
        return (kib + 63) / 64 * 64;
    }

    @Test
    void bareExt4(@TempDir Path dir) throws Exception {
        Pipeline.Result r = build(dir, BuildRequest.builder().env("DIB_IMAGE_EXTRA_SIZE", "100"), false,
                List.of("raw", "qcow2"), "fixture-busybox");
        long kib = roundUp64(treeKiB + 100 * 1024 + 64 * 1024);
        assertEquals(Long.toString(kib), r.createEnv().get("DIB_IMAGE_SIZE"));
        assertEquals(Map.of("DIB_ROOT_LABEL", "cloudimg-rootfs", "DIB_ROOT_FSTYPE", "ext4", "DIB_BOOT_LABEL",
                "cloudimg-rootfs", "DIB_MOUNTPOINTS", "/"), r.planEnv());
        Path raw = r.outputs().get("raw");
        assertEquals(kib * 1024, Files.size(raw));
        assertEquals("qcow2", Inspect.format(r.outputs().get("qcow2")));
        assertEquals(kib * 1024, Inspect.virtualSize(r.outputs().get("qcow2")));
        Map<String, String> id = Inspect.blkid(raw, 0);
        assertEquals("ext4", id.get("TYPE"));
        assertEquals("cloudimg-rootfs", id.get("LABEL"));
        Inspect.fsck(raw, "ext4");
        assertEquals("LABEL=cloudimg-rootfs / ext4 defaults 0 1\n", Inspect.extCat(raw, "/etc/fstab"));
        assertTrue(Inspect.extStat(raw, "/sbin/init").contains("Mode:  0755"), "modes are kept");
        String fs = Fixtures.stdout("dumpe2fs", "-h", raw.toString());
        assertTrue(fs.contains("Total journal size:       64M"), "upstream's -J size=64: " + fs);
        long inodes = Long.parseLong(fs.replaceAll("(?s).*Inode count:\\s+(\\d+).*", "$1"));
        assertEquals(kib * 1024 / 4096, inodes, 128, "upstream's -i 4096");
    }

    @Test
    void bareXfs(@TempDir Path dir) throws Exception {
        Pipeline.Result r = build(dir, BuildRequest.builder().env("FS_TYPE", "xfs").env("DIB_IMAGE_EXTRA_SIZE", "320"),
                false, List.of("raw"), "fixture-busybox");
        assertEquals("img-rootfs", r.planEnv().get("DIB_ROOT_LABEL"));
        assertEquals("xfs", r.planEnv().get("DIB_ROOT_FSTYPE"));
        Path raw = r.outputs().get("raw");
        assertEquals(roundUp64(treeKiB + 320 * 1024) * 1024, Files.size(raw), "no journal added for xfs");
        assertEquals("img-rootfs", Inspect.blkid(raw, 0).get("LABEL"));
        assertEquals("xfs", Inspect.blkid(raw, 0).get("TYPE"));
        Inspect.fsck(raw, "xfs");
        Inspect.mounted(raw, 0, Files.size(raw), root -> {
            assertTrue(Files.isRegularFile(root.resolve("bin/busybox")));
            assertEquals("LABEL=img-rootfs / xfs defaults 0 1\n", Files.readString(root.resolve("etc/fstab")));
        });
    }

    @Test
    void bareBtrfsWithRootLabel(@TempDir Path dir) throws Exception {
        Pipeline.Result r = build(dir, BuildRequest.builder().env("FS_TYPE", "btrfs").rootLabel("my-root")
                .imageSize("0.3"), false, List.of("raw"), "fixture-busybox");
        Path raw = r.outputs().get("raw");
        assertEquals(roundUp64((long) (0.3 * 1024 * 1024)) * 1024, Files.size(raw), "--image-size in GB");
        assertEquals("my-root", Inspect.blkid(raw, 0).get("LABEL"));
        assertEquals("btrfs", Inspect.blkid(raw, 0).get("TYPE"));
        Inspect.fsck(raw, "btrfs");
        Inspect.mounted(raw, 0, Files.size(raw), root -> {
            assertTrue(Files.isRegularFile(root.resolve("bin/busybox")));
            assertEquals("LABEL=my-root / btrfs defaults 0 1\n", Files.readString(root.resolve("etc/fstab")));
        });
    }

    @Test
    void mbr(@TempDir Path dir) throws Exception {
        // -E resize= and the partition's -E offset= must both reach mke2fs, which keeps only its last -E
        Pipeline.Result r = build(dir, BuildRequest.builder().env("DIB_IMAGE_EXTRA_SIZE", "100")
                .maxOnlineResize("100000000").mkfsOptions("-m 0"), true, List.of("raw", "qcow2"), "fixture-busybox",
                "vm", "block-device-mbr", "bootloader");
        Path raw = r.outputs().get("raw");
        long disk = Files.size(raw);
        assertEquals("dos", Inspect.label(raw));
        List<Inspect.Part> parts = Inspect.partitions(raw);
        assertEquals(1, parts.size(), parts.toString());
        Inspect.Part p = parts.get(0);
        assertEquals(2048, p.start());
        assertEquals((disk - 2 * MIB) / 512, p.size(), "upstream's free space: the disk less two alignment units");
        assertEquals("83", p.type());
        assertTrue(p.bootable());
        assertEquals("cloudimg-rootfs", Inspect.blkid(raw, p.start() * 512).get("LABEL"));
        Path fs = Inspect.extract(raw, p.start() * 512, p.size() * 512, dir.resolve("root.fs"));
        Inspect.fsck(fs, "ext4");
        String super1 = Fixtures.stdout("dumpe2fs", "-h", fs.toString());
        assertTrue(super1.contains("Reserved block count:     0\n"), "--mkfs-options reach mkfs: " + super1);
        String cfg = Inspect.extCat(fs, "/boot/grub/grub.cfg");
        assertTrue(cfg.contains("search --no-floppy --label cloudimg-rootfs --set=root"), cfg);
        byte[] mbr = new byte[512];
        try (var in = Files.newInputStream(raw)) {
            assertEquals(512, in.readNBytes(mbr, 0, 512));
        }
        assertArrayEquals(new byte[] { (byte) 0xEB, 0x63, (byte) 0x90 }, java.util.Arrays.copyOf(mbr, 3),
                "GRUB's boot code is in the MBR");
        assertEquals(kib(r), disk / 1024);
    }

    private static long kib(Pipeline.Result r) {
        return Long.parseLong(r.createEnv().get("DIB_IMAGE_SIZE"));
    }

    @Test
    void gpt(@TempDir Path dir) throws Exception {
        Pipeline.Result r = build(dir, BuildRequest.builder().env("DIB_IMAGE_EXTRA_SIZE", "100"), true,
                List.of("raw"), "fixture-busybox", "vm", "block-device-gpt", "bootloader");
        Path raw = r.outputs().get("raw");
        long disk = Files.size(raw);
        assertEquals("gpt", Inspect.label(raw));
        List<Inspect.Part> parts = Inspect.partitions(raw);
        assertEquals(2, parts.size(), parts.toString());
        assertEquals(new Inspect.Part(2048, 16384, "21686148-6449-6E6F-744E-656564454649", false, "BSP"),
                parts.get(0));
        Inspect.Part root = parts.get(1);
        assertEquals(2048 + 16384, root.start());
        assertEquals((disk - 2 * MIB - 8 * MIB) / MIB * MIB / 512, root.size(), "whole MiB of what is left");
        assertEquals("0FC63DAF-8483-4772-8E79-3D69D8477DE4", root.type());
        assertTrue(root.bootable(), "boot flag: legacy BIOS bootable attribute");
        assertEquals("root", root.name());
        assertEquals(0, Fixtures.status("sgdisk", "-v", raw.toString()), "sgdisk finds no problem");
        Path fs = Inspect.extract(raw, root.start() * 512, root.size() * 512, dir.resolve("root.fs"));
        Inspect.fsck(fs, "ext4");
        assertEquals("LABEL=cloudimg-rootfs / ext4 defaults 0 1\n", Inspect.extCat(fs, "/etc/fstab"));
    }

    @Test
    void efi(@TempDir Path dir) throws Exception {
        // a distribution's files on the ESP, as a package would have put them in the tree
        Path distro = Files.createDirectories(tree.resolve("boot/efi/EFI/debian"));
        Files.writeString(distro.resolve("shimx64.efi"), "shim\n");
        Pipeline.Result r;
        try {
            r = build(dir, BuildRequest.builder().env("DIB_IMAGE_EXTRA_SIZE", "100").env("EFI_BOOT_DIR", "EFI/debian"),
                    true, List.of("raw"), "fixture-busybox", "vm", "block-device-efi", "bootloader");
        } finally {
            Fixtures.run("rm", "-rf", tree.resolve("boot/efi/EFI").toString());
        }
        assertEquals(roundUp64(treeKiB + 100 * 1024 + 64 * 1024 + 525 * 1024), kib(r), "+525 MiB for the ESP");
        Path raw = r.outputs().get("raw");
        List<Inspect.Part> parts = Inspect.partitions(raw);
        assertEquals(3, parts.size(), parts.toString());
        Inspect.Part esp = parts.get(0);
        assertEquals(new Inspect.Part(2048, 550 * 2048, "C12A7328-F81F-11D2-BA4B-00A0C93EC93B", false, "ESP"), esp);
        assertEquals("21686148-6449-6E6F-744E-656564454649", parts.get(1).type());
        Inspect.Part root = parts.get(2);
        Map<String, String> fat = Inspect.blkid(raw, esp.start() * 512);
        assertEquals("vfat", fat.get("TYPE"));
        assertEquals("MKFS_ESP", fat.get("LABEL"), "upstream's default label: the node name, upper case for FAT");
        assertTrue(Inspect.mdir(raw, esp.start() * 512, "::/EFI/BOOT").contains("BOOTX64  EFI"),
                "GRUB's removable-path image is in the ESP");
        String debian = Inspect.mdir(raw, esp.start() * 512, "::/EFI/debian");
        assertTrue(debian.contains("shimx64  efi") && debian.contains("grub     cfg"),
                "the tree's ESP files, and grub.cfg in EFI_BOOT_DIR: " + debian);
        Inspect.fsck(Inspect.extract(raw, esp.start() * 512, esp.size() * 512, dir.resolve("esp.fs")), "vfat");
        Path fs = Inspect.extract(raw, root.start() * 512, root.size() * 512, dir.resolve("root.fs"));
        Inspect.fsck(fs, "ext4");
        assertEquals("LABEL=cloudimg-rootfs / ext4 defaults 0 1\nLABEL=MKFS_ESP /boot/efi vfat defaults 0 2\n",
                Inspect.extCat(fs, "/etc/fstab"));
        String ls = Fixtures.stdout("debugfs", "-R", "ls /boot/efi", fs.toString());
        assertFalse(ls.contains("EFI"), "the mount point in the root file system is left empty: " + ls);
    }

    @Test
    void imageUsageReport(@TempDir Path dir) throws Exception {
        Path big = Fixtures.treeWithBlob(tree, dir.resolve("tree"), 12);
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            TestBuild b = new TestBuild(dir, sb, BuildRequest.builder().env("DIB_IMAGE_EXTRA_SIZE", "100")
                    .env("DIB_SHOW_IMAGE_USAGE", "1").build(), Fixtures.elements("fixture-busybox"));
            Pipeline.run(b, big, false, List.of("raw"));
            List<String> log = b.logLines();
            assertTrue(log.contains("Image size report (files > 10MiB)"), log.toString());
            assertTrue(log.stream().anyMatch(l -> l.matches("\\s*12MiB\\s+" + big + "/blob")), log.toString());
            assertFalse(log.stream().anyMatch(l -> l.endsWith("/bin/busybox")), "small files are left out");
            assertTrue(log.contains("===== end image size report ====="));
        }
    }

    @Test
    void customConfigWithLogicalPartitionsAndSwap(@TempDir Path dir) throws Exception {
        String config = """
                - local_loop:
                    name: image0
                    size: 400MiB
                - partitioning:
                    base: image0
                    label: mbr
                    partitions:
                      - name: root
                        flags: [ boot, primary ]
                        size: 200MiB
                        mkfs:
                          type: ext4
                          mount:
                            mount_point: /
                            fstab:
                              fsck-passno: 1
                      - name: var
                        size: 100MiB
                        mkfs:
                          type: ext4
                          label: VAR
                          mount:
                            mount_point: /var
                            fstab:
                              options: defaults,nodev
                      - name: swap
                        size: 100%
                        mkfs:
                          type: swap
                          mount:
                            mount_point: none
                            fstab: {}
                """;
        Files.writeString(tree.resolve("var/log/marker"), "var\n");
        Pipeline.Result r;
        try {
            r = build(dir, BuildRequest.builder().env("DIB_BLOCK_DEVICE_CONFIG", config), false, List.of("raw"),
                    "fixture-busybox");
        } finally {
            Files.delete(tree.resolve("var/log/marker"));
        }
        assertEquals("/|/var|none", r.planEnv().get("DIB_MOUNTPOINTS"));
        Path raw = r.outputs().get("raw");
        assertEquals(400 * MIB, Files.size(raw));
        List<Inspect.Part> parts = Inspect.partitions(raw);
        assertEquals(4, parts.size(), parts.toString());
        assertEquals("f", parts.get(1).type(), "one extended partition over the rest");
        Inspect.Part var = parts.get(2);
        Inspect.Part swap = parts.get(3);
        assertEquals(200 * 2048 + 2048 + 2048, var.start(), "logical data one alignment after its EBR");
        assertEquals("VAR", Inspect.blkid(raw, var.start() * 512).get("LABEL"));
        assertEquals("swap", Inspect.blkid(raw, swap.start() * 512).get("TYPE"));
        Path rootFs = Inspect.extract(raw, parts.get(0).start() * 512, parts.get(0).size() * 512,
                dir.resolve("root.fs"));
        Path varFs = Inspect.extract(raw, var.start() * 512, var.size() * 512, dir.resolve("var.fs"));
        Inspect.fsck(rootFs, "ext4");
        Inspect.fsck(varFs, "ext4");
        assertEquals("var\n", Inspect.extCat(varFs, "/log/marker"), "/var's files are in the var file system");
        assertFalse(Fixtures.stdout("debugfs", "-R", "ls /var", rootFs.toString()).contains("log"),
                "and not under the root file system's /var");
        String fstab = Inspect.extCat(rootFs, "/etc/fstab");
        assertTrue(fstab.matches("LABEL=cloudimg-rootfs / ext4 defaults 0 1\nLABEL=VAR /var ext4 defaults,nodev 0 2\n"
                + "LABEL=mkfs_swap none swap sw 0 0\n"), fstab);
    }
}

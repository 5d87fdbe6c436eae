// SPDX-License-Identifier: Apache-2.0
package dib.core.test.archive;

import static dib.core.test.archive.Trees.bash;
import static dib.core.test.archive.Trees.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.archive.ArchiveException;
import dib.core.archive.Archives;
import dib.core.archive.DiskImagePartitions;
import dib.core.archive.ExtractOptions;
import dib.core.sandbox.ClosableSandbox;
import dib.core.sandbox.Sandboxes;

/** Squashfs extraction and disk image repacking, through a sandbox. */
@Tag("root")
class ImageFormatsTest {
    @TempDir
    static Path shared;
    static Path src;

    @BeforeAll
    static void tree() throws Exception {
        src = shared.resolve("src");
        Files.createDirectories(src);
        Trees.rich(src);
    }

    @Test
    void squashfsKeepsTheTree(@TempDir Path tmp) throws Exception {
        Path image = tmp.resolve("root.squashfs");
        bash("mksquashfs \"$1\" \"$2\" -noappend -quiet >/dev/null", src.toString(), image.toString());
        Path target = tmp.resolve("target");
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            Archives.extractSquashfs(sb, image, target, null);
        }
        assertEquals(manifest(src, true), manifest(target, true));
    }

    @Test
    void aFileThatIsNotSquashfsIsNamed(@TempDir Path tmp) throws Exception {
        Path image = tmp.resolve("fake.squashfs");
        Files.writeString(image, "<html>404</html>");
        ArchiveException e = assertThrows(ArchiveException.class,
                () -> Archives.extractSquashfs(null, image, tmp.resolve("t"), null));
        assertEquals(image + " is not a squashfs image", e.getMessage());
    }

    @Test
    void aTruncatedSquashfsFailsClearly(@TempDir Path tmp) throws Exception {
        Path image = tmp.resolve("root.squashfs");
        bash("mksquashfs \"$1\" \"$2\" -noappend -quiet >/dev/null; truncate -s 200 \"$2\"",
                src.toString(),
                image.toString());
        ArchiveException e = assertThrows(ArchiveException.class,
                () -> Archives.extractSquashfs(null, image, tmp.resolve("t"), null));
        assertTrue(e.getMessage().startsWith("unsquashfs of " + image + " into " + tmp.resolve("t")
                + " failed with exit status "), e.getMessage());
    }

    /**
     * A GPT disk: ESP (vfat), /boot (ext4, XBOOTLDR type), root (ext4 with the rich tree),
     * as a qcow2 image.
     */
    static Path gptDisk(Path dir) throws Exception {
        Path boot = dir.resolve("boot-tree");
        Path esp = dir.resolve("esp-tree");
        Files.createDirectories(boot.resolve("efi"));
        Files.createDirectories(esp.resolve("EFI/test"));
        Files.writeString(boot.resolve("vmlinuz-6.1"), "kernel\n");
        Files.writeString(esp.resolve("EFI/test/grub.cfg"), "set timeout=1\n");
        Files.createDirectories(src.resolve("boot"));
        try {
            bash("cd \"$1\"; truncate -s 96M disk.raw\n"
                    + "printf 'label: gpt\\nstart=2048, size=16384, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\\n"
                    + "start=18432, size=32768, type=BC13C2FF-59E6-4262-A352-B275FD6F7172\\n"
                    + "start=51200, size=131072, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\\n' | sfdisk -q disk.raw\n"
                    + "mkfs.vfat --offset=2048 -n EFI disk.raw 8192 >/dev/null 2>&1\n"
                    + "mcopy -s -i disk.raw@@$((2048*512)) \"$3/EFI\" ::/\n"
                    + "mkfs.ext4 -q -F -E offset=$((18432*512)) -d \"$2\" disk.raw 16M\n"
                    + "mkfs.ext4 -q -F -E offset=$((51200*512)) -L root -d \"$4\" disk.raw 64M\n"
                    + "qemu-img convert -f raw -O qcow2 disk.raw disk.qcow2; rm disk.raw\n",
                    dir.toString(), boot.toString(), esp.toString(), src.toString());
        } finally {
            Files.delete(src.resolve("boot"));
        }
        return dir.resolve("disk.qcow2");
    }

    @Test
    void aPartitionedQcow2BecomesOneTree(@TempDir Path tmp) throws Exception {
        Path image = gptDisk(tmp);
        Path cache = tmp.resolve("cache");
        Files.createDirectories(cache);
        Path tarball = cache.resolve("disk.tgz");
        DiskImagePartitions parts;
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            parts = Archives.repackDiskImage(sb, image, tarball, null);
            assertEquals("", bash("losetup -j \"$1\" || true", image.toString()).strip());
        }
        assertEquals("partition 3 (ext4, label root)", parts.root());
        assertEquals("partition 2 (ext4)", parts.boot());
        assertEquals("partition 1 (vfat, label EFI)", parts.esp());
        try (Stream<Path> s = Files.list(cache)) {
            assertEquals(List.of("disk.tgz"), s.map(p -> p.getFileName().toString()).collect(Collectors.toList()),
                    "no working files left");
        }
        assertFalse(bash("cat /proc/self/mountinfo").contains(cache.toString()), "no mount left on the host");

        Path target = tmp.resolve("target");
        Archives.extractTar(tarball, target, ExtractOptions.defaults());
        assertEquals("kernel\n", Files.readString(target.resolve("boot/vmlinuz-6.1")));
        assertEquals("set timeout=1\n", Files.readString(target.resolve("boot/efi/EFI/test/grub.cfg")));
        // the root file system's tree came through with owners, modes and attributes
        String expected = manifest(src, true);
        String got = manifest(target, true);
        for (String line : expected.split("\n")) {
            if (line.startsWith("root|") || line.startsWith("dir/sub|") || line.startsWith("link|")) {
                continue; // mkfs -d does not keep directory and symlink times
            }
            String name = line.substring(0, line.indexOf('|'));
            String mine = Stream.of(got.split("\n")).filter(l -> l.startsWith(name + "|")).findFirst().orElse("");
            assertEquals(strip(line), strip(mine));
        }
    }

    /** Drops the mtime field of a manifest line (mkfs.ext4 -d sets its own times on some entries). */
    private static String strip(String line) {
        String[] f = line.split("\\|", -1);
        if (f.length > 5 && f[1].equals("directory")) {
            f[5] = "";
        }
        return String.join("|", f);
    }

    @Test
    void aFedoraLikeDiskWithABtrfsRootSubvolume(@TempDir Path tmp) throws Exception {
        // Fedora Cloud: BIOS boot (no file system), ESP (vfat), /boot (ext4, label boot),
        // btrfs (label fedora) whose "root" subvolume is /
        Path tarball = tmp.resolve("fedora.tgz");
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            sb.check(dib.core.sandbox.Exec.of("bash", "-euc", "cd \"$1\"; truncate -s 200M disk.raw\n"
                    + "printf 'label: gpt\\nstart=2048, size=2048, type=21686148-6449-6E6F-744E-656564454649\\n"
                    + "start=4096, size=16384, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\\n"
                    + "start=20480, size=32768, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\\n"
                    + "start=53248, size=352256, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\\n' | sfdisk -q disk.raw\n"
                    + "mkfs.vfat --offset=4096 disk.raw 8192 >/dev/null 2>&1\n"
                    + "mkdir -p bt/grub2; echo menu > bt/grub2/grub.cfg\n"
                    + "mkfs.ext4 -q -F -L boot -E offset=$((20480*512)) -d bt disk.raw 16M\n"
                    + "truncate -s $((352256*512)) root.btrfs; mkfs.btrfs -q -L fedora root.btrfs\n"
                    + "mkdir m; mount -o loop root.btrfs m; btrfs -q subvolume create m/root; btrfs -q subvolume create m/home\n"
                    + "mkdir -p m/root/etc m/root/boot; echo 'Fedora Linux 42' > m/root/etc/fedora-release; umount m\n"
                    + "dd if=root.btrfs of=disk.raw bs=512 seek=53248 conv=notrunc status=none; rm root.btrfs\n",
                    "fixture", tmp.toString()));
            DiskImagePartitions parts = Archives.repackDiskImage(sb, tmp.resolve("disk.raw"), tarball, null);
            assertEquals("partition 4 (btrfs, label fedora)", parts.root());
            assertEquals("partition 3 (ext4, label boot)", parts.boot());
            assertEquals("partition 2 (vfat)", parts.esp());
        }
        Path target = tmp.resolve("target");
        Archives.extractTar(tarball, target, ExtractOptions.defaults());
        assertEquals("Fedora Linux 42\n", Files.readString(target.resolve("etc/fedora-release")));
        assertEquals("menu\n", Files.readString(target.resolve("boot/grub2/grub.cfg")));
        assertFalse(Files.exists(target.resolve("root/etc")), "the subvolume, not the top of the file system");
    }

    @Test
    void aWholeDiskFileSystemIsTheRoot(@TempDir Path tmp) throws Exception {
        Path tree = tmp.resolve("tree");
        Files.createDirectories(tree.resolve("etc"));
        Files.writeString(tree.resolve("etc/hostname"), "whole\n");
        bash("cd \"$1\"; mkfs.ext4 -q -F -d tree disk.img 8M; xz -T1 -0 disk.img", tmp.toString());
        Path tarball = tmp.resolve("whole.tgz");
        // what a killed repack left (a process that is gone), and what a running one uses
        Path stale = Files.createDirectories(tmp.resolve(".whole.tgz.work-99999999-1f/mnt"));
        Files.writeString(stale.resolveSibling("disk.raw"), "big");
        Path running = Files.createDirectories(tmp.resolve(".whole.tgz.work-" + ProcessHandle.current().pid() + "-2f"));
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            DiskImagePartitions parts = Archives.repackDiskImage(sb, tmp.resolve("disk.img.xz"), tarball, null);
            assertEquals("partition 0 (ext4)", parts.root());
            assertNull(parts.boot());
        }
        assertFalse(Files.exists(stale.getParent()), "the leftovers of a dead repack are removed");
        assertTrue(Files.isDirectory(running), "a running repack's files are not touched");
        Path target = tmp.resolve("target");
        Archives.extractTar(tarball, target, ExtractOptions.defaults());
        assertEquals("whole\n", Files.readString(target.resolve("etc/hostname")));
    }

    @Test
    void anImageWithoutFileSystemsIsNamed(@TempDir Path tmp) throws Exception {
        bash("cd \"$1\"; truncate -s 8M blank.raw; printf 'label: gpt\\nstart=2048, size=4096\\n' | sfdisk -q blank.raw;"
                + " qemu-img convert -O qcow2 blank.raw blank.qcow2", tmp.toString());
        Path image = tmp.resolve("blank.qcow2");
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            ArchiveException e = assertThrows(ArchiveException.class,
                    () -> Archives.repackDiskImage(sb, image, tmp.resolve("blank.tgz"), null));
            assertEquals("cannot repack " + image + ": no root file system found (partitions: 1:no file system)",
                    e.getMessage());
        }
        assertFalse(Files.exists(tmp.resolve("blank.tgz")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".blank.tgz")), "no working files left");
        }
    }
}

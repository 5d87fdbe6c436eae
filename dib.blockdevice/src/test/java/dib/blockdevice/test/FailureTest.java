// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.build.BuildException;
import dib.core.build.BuildRequest;
import dib.core.sandbox.ClosableSandbox;
import dib.core.sandbox.Sandboxes;

/**
 * Every failure leaves nothing behind: no loop device backed by the build's files, no mount
 * under the build's folder (on the host or in the build's namespace), no image file and no
 * partial output; and the message names the culprit in one line.
 */
@Tag("root")
class FailureTest {
    @TempDir
    static Path work;
    private static Path tree;

    @BeforeAll
    static void fixture() throws Exception {
        tree = Fixtures.busyboxTree(work.resolve("tree"), false);
    }


    /** Runs the pipeline expecting failure; checks what is left, inside the namespace too. */
    private static BuildException fails(Path dir, Path buildTree, BuildRequest.Builder r, boolean bootloader,
            List<String> types, String... elements) throws Exception {
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            TestBuild b = new TestBuild(dir, sb, r.build(), Fixtures.elements(elements));
            Exception e = assertThrows(Exception.class, () -> Pipeline.run(b, buildTree, bootloader, types));
            BuildException be = e instanceof BuildException x ? x : (BuildException) e.getCause();
            assertFalse(be.getMessage().contains("\n"), "one line: " + be.getMessage());
            assertEquals(List.of(), Fixtures.leftovers(dir), "nothing left on the host");
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(sb.holderPid()), "mountinfo"))) {
                assertFalse(line.split(" ")[4].startsWith(dir.toString()), "nothing mounted in the namespace: " + line);
            }
            try (Stream<Path> s = Files.list(dir.resolve("image"))) {
                assertEquals(List.of(), s.toList(), "no image file is left");
            }
            Path out = dir.resolve("out");
            if (Files.isDirectory(out)) {
                try (Stream<Path> s = Files.list(out)) {
                    assertEquals(List.of(), s.toList(), "no partial output");
                }
            }
            return be;
        }
    }

    @Test
    void mkfsFails(@TempDir Path dir) throws Exception {
        BuildException e = fails(dir, tree, BuildRequest.builder().env("DIB_IMAGE_EXTRA_SIZE", "100")
                .mkfsOptions("-O no_such_feature"), false, List.of("qcow2"), "fixture-busybox");
        assertTrue(e.getMessage().startsWith("mkfs 'mkfs_root': mkfs.ext4 failed"), e.getMessage());
    }

    @Test
    void treeDoesNotFitExt4(@TempDir Path dir) throws Exception {
        Path big = Fixtures.treeWithBlob(tree, dir.resolve("bigtree"), 40);
        String config = """
                - local_loop:
                    name: image0
                    size: 24MiB
                    mkfs:
                      name: mkfs_root
                      mount:
                        mount_point: /
                """;
        BuildException e = fails(dir, big, BuildRequest.builder().env("DIB_BLOCK_DEVICE_CONFIG", config)
                .mkfsJournalSize("1"), false, List.of("qcow2"), "fixture-busybox");
        assertTrue(e.getMessage().startsWith("mkfs 'mkfs_root'"), e.getMessage());
        assertTrue(e.getMessage().contains("too small for its files"), e.getMessage());
    }

    @Test
    void treeDoesNotFitWhenCopiedThroughAMount(@TempDir Path dir) throws Exception {
        Path big = Fixtures.treeWithBlob(tree, dir.resolve("bigtree"), 150);
        String config = """
                - local_loop:
                    name: image0
                    size: 120MiB
                    mkfs:
                      name: mkfs_root
                      type: btrfs
                      mount:
                        mount_point: /
                """;
        BuildException e = fails(dir, big, BuildRequest.builder().env("DIB_BLOCK_DEVICE_CONFIG", config), false,
                List.of("qcow2"), "fixture-busybox");
        assertTrue(e.getMessage().startsWith("mount 'mount_mkfs_root' (/): copying the tree"), e.getMessage());
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
    }

    @Test
    void bootloaderOnABareFileSystem(@TempDir Path dir) throws Exception {
        BuildException e = fails(dir, tree, BuildRequest.builder().env("DIB_IMAGE_EXTRA_SIZE", "100"), true,
                List.of("qcow2"), "fixture-busybox", "bootloader");
        assertTrue(e.getMessage().contains("bare file system without a partition table"), e.getMessage());
    }

    @Test
    void bootloaderDoesNotFitTheGap(@TempDir Path dir) throws Exception {
        String config = """
                - local_loop:
                    name: image0
                - partitioning:
                    base: image0
                    label: mbr
                    align: 64KiB
                    partitions:
                      - name: root
                        flags: [ boot, primary ]
                        size: 100%
                        mkfs:
                          name: mkfs_root
                          mount:
                            mount_point: /
                """;
        BuildException e = fails(dir, tree, BuildRequest.builder().env("DIB_BLOCK_DEVICE_CONFIG", config)
                .env("DIB_IMAGE_EXTRA_SIZE", "100"), true, List.of("qcow2"), "fixture-busybox", "bootloader");
        assertTrue(e.getMessage().contains("does not fit into the gap before the first partition"), e.getMessage());
    }

    @Test
    void badYaml(@TempDir Path dir) throws Exception {
        BuildException e = fails(dir, tree, BuildRequest.builder().env("DIB_BLOCK_DEVICE_CONFIG",
                "- local_loop:\n    name: [image0\n"), false, List.of("qcow2"), "fixture-busybox");
        assertTrue(e.getMessage().startsWith("block-device config (DIB_BLOCK_DEVICE_CONFIG): invalid YAML at line"),
                e.getMessage());
    }

    @Test
    void lvmWithoutDeviceMapper(@TempDir Path dir) throws Exception {
        String config = """
                - local_loop:
                    name: image0
                - partitioning:
                    base: image0
                    label: gpt
                    partitions:
                      - name: root
                        size: 100%
                - lvm:
                    name: lvm
                    base: [ root ]
                    pvs:
                      - name: pv
                        base: root
                    vgs:
                      - name: vg
                        base: [ pv ]
                    lvs:
                      - name: lv_root
                        base: vg
                        extents: 100%VG
                - mkfs:
                    name: mkfs_root
                    base: lv_root
                    type: ext4
                    mount:
                      mount_point: /
                """;
        BuildException e = fails(dir, tree, BuildRequest.builder().env("DIB_BLOCK_DEVICE_CONFIG", config), false,
                List.of("qcow2"), "fixture-busybox");
        assertTrue(e.getMessage().contains("lvm 'lvm': LVM needs device-mapper"), e.getMessage());
        assertTrue(e.getMessage().contains("device-mapper"), e.getMessage());
    }

    @Test
    void outputFailureLeavesNoPartialFile(@TempDir Path dir) throws Exception {
        BuildException e = fails(dir, tree, BuildRequest.builder().env("DIB_IMAGE_EXTRA_SIZE", "100")
                .qemuImgOptions("no_such_option=1"), false, List.of("qcow2"), "fixture-busybox");
        assertTrue(e.getMessage().startsWith("output qcow2: qemu-img failed"), e.getMessage());
    }
}

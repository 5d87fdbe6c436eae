// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.ramdisk.internal.CpioArchiver;

class CpioArchiverTest {
    private static Path tree(Path dir, long mtime) throws Exception {
        Files.createDirectories(dir.resolve("bin"));
        Files.createDirectories(dir.resolve("etc/a-b"));
        Files.writeString(dir.resolve("init"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(dir.resolve("init"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("etc/a-b/x"), "x");
        Files.write(dir.resolve("bin/busybox"), new byte[70_000]);
        Files.createSymbolicLink(dir.resolve("bin/sh"), Path.of("busybox"));
        try (var s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(p, FileTime.fromMillis(mtime));
                }
            }
        }
        return dir;
    }

    private static byte[] archive(Path tree, Long fixed) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new CpioArchiver(fixed).write(tree, out);
        return out.toByteArray();
    }

    @Test
    void sortedNewcWithConsoleAndFixedTimes(@TempDir Path dir) throws Exception {
        byte[] a = archive(tree(dir.resolve("a"), 1_000_000_000L), 1700000000L);
        byte[] b = archive(tree(dir.resolve("b"), 1_500_000_000_000L), 1700000000L);
        assertArrayEquals(a, b, "same names, contents and modes give the same bytes whatever the times");
        assertEquals("070701", new String(a, 0, 6, StandardCharsets.US_ASCII), "newc magic");
        assertEquals(0, a.length % 512, "padded to 512-byte blocks");

        List<String> names = new ArrayList<>();
        try (CpioArchiveInputStream in = new CpioArchiveInputStream(new ByteArrayInputStream(a))) {
            CpioArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                names.add(e.getName());
                assertEquals(1700000000L, e.getTime());
                if (e.getName().equals("bin/sh")) {
                    assertTrue(e.isSymbolicLink());
                    assertEquals("busybox", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
                }
                if (e.getName().equals("dev/console")) {
                    assertTrue(e.isCharacterDevice());
                    assertEquals(5, e.getRemoteDeviceMaj());
                    assertEquals(1, e.getRemoteDeviceMin());
                }
                if (e.getName().equals("init")) {
                    assertEquals(0100755, e.getMode());
                }
            }
        }
        assertEquals(List.of(".", "bin", "bin/busybox", "bin/sh", "dev", "dev/console", "etc", "etc/a-b",
                "etc/a-b/x", "init"), names);
        // without a fixed time the tree's times are kept
        assertFalse(java.util.Arrays.equals(archive(dir.resolve("a"), null), archive(dir.resolve("b"), null)));
    }
}

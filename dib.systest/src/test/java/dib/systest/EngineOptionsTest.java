// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** disk-image-create's options and their error paths, through bin/disk-image-create. */
@Tag("root")
class EngineOptionsTest {
    @TempDir
    Path work;

    private Dib dib() throws Exception {
        return new Dib(Files.createDirectories(work.resolve("out"))).env("TMP_DIR",
                Files.createDirectories(work.resolve("tmp")).toString());
    }

    private static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    @Test
    void checksumsLogfileAndOldOutputsKept() throws Exception {
        Path out = work.resolve("out");
        Dib.Result r = dib().env("DIB_QUIET", "1").run("disk-image-create", "-o", "img.tar", "-t", "tar", "--checksum",
                "--logfile", work.resolve("copy.log").toString(), "fixture-busybox");
        assertEquals(0, r.exit(), r.all());
        assertEquals("", r.stdout(), "DIB_QUIET");
        Path tar = out.resolve("img.tar");
        assertTrue(Files.exists(tar), "the .tar suffix of -o is not doubled");
        assertEquals(sha256(tar) + "  img.tar\n", Files.readString(out.resolve("img.tar.sha256")));
        assertTrue(Files.readString(out.resolve("img.tar.md5")).endsWith("  img.tar\n"));
        assertTrue(Files.readString(work.resolve("copy.log")).contains("Build completed successfully"));
        // a second build keeps the first output under a timestamped name
        r = dib().env("DIB_QUIET", "1").run("disk-image-create", "-o", "img", "-t", "tar", "fixture-busybox");
        assertEquals(0, r.exit(), r.all());
        try (var s = Files.list(out)) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().matches("img-\\d{4}\\.\\d\\d\\.\\d\\d-.*\\.tar")));
        }
        r = dib().env("DIB_QUIET", "1").env("OVERWRITE_OLD_IMAGE", "1").run("disk-image-create", "-o", "img", "-t",
                "tar", "fixture-busybox");
        assertEquals(0, r.exit(), r.all());
        try (var s = Files.list(out)) {
            assertEquals(1, s.filter(p -> p.getFileName().toString().matches("img-.*\\.tar")).count());
        }
    }

    @Test
    void cleanEnvironmentDropsTheCallersVariables() throws Exception {
        Dib.Result r = dib().env("DIB_QUIET", "1").env("DIB_PROBE_VALUE", "leak")
                .run("disk-image-create", "-c", "-o", "clean", "-t", "tar", "fixture-busybox", "phase-probe");
        assertEquals(0, r.exit(), r.all());
        Process p = new ProcessBuilder("tar", "-xOf", work.resolve("out/clean.tar").toString(), "./probe.log").start();
        String log = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        assertTrue(log.contains("dib=unset") && !log.contains("leak"), log);
        assertTrue(log.contains("arch=amd64"), "dib's own variables stay: " + log);
    }

    @Test
    void duplicatedHookNamesBothElements() throws Exception {
        Dib.Result r = dib().run("disk-image-create", "-o", "dup", "-t", "tar", "fixture-busybox", "dup-hook-a",
                "dup-hook-b");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.stderr().contains("duplicated hook") && r.stderr().contains("dup-hook-a/install.d/50-same-name")
                && r.stderr().contains("dup-hook-b/install.d/50-same-name"), r.all());
        assertEquals(List.of(), Leftovers.under(work.resolve("tmp")));
    }

    @Test
    void badInputIsOneClearLineAndCreatesNothing() throws Exception {
        record Case(String[] args, int exit, String message) {
        }
        List<Case> cases = List.of(
                new Case(new String[] { "--no-such-option", "fixture-busybox" }, 1, "unrecognized option '--no-such-option'"),
                new Case(new String[] { "-o" }, 1, "option requires an argument -- 'o'"),
                new Case(new String[] { "-t", "tar" }, 1, "At least one distribution root element must be specified"),
                new Case(new String[] { "-t", "bogus", "fixture-busybox" }, 1, "unknown output type 'bogus' (-t)"),
                new Case(new String[] { "-t", "tar", "no-such-element" }, 1, "element 'no-such-element' not found"),
                new Case(new String[] { "-t", "tar", "--image-size", "big", "fixture-busybox" }, 1, "invalid --image-size 'big'"),
                new Case(new String[] { "-t", "tar", "-o", "/nonexistent/dir/x", "fixture-busybox" }, 1,
                        "the output directory /nonexistent/dir (-o /nonexistent/dir/x) does not exist"),
                new Case(new String[] { "-t", "tar", "base" }, 1, "please include an operating system element"));
        for (Case c : cases) {
            Dib.Result r = dib().run("disk-image-create", c.args());
            assertEquals(c.exit(), r.exit(), r.all());
            assertEquals(1, r.stderr().strip().lines().count(), "one line: " + r.all());
            assertTrue(r.stderr().contains(c.message()), "expected '" + c.message() + "': " + r.all());
            assertFalse(r.stderr().contains("Exception"), r.all());
        }
        try (var s = Files.list(work.resolve("out"))) {
            assertEquals(List.of(), s.toList(), "nothing created");
        }
        assertEquals(List.of(), Leftovers.under(work.resolve("tmp")));
    }

    @Test
    void helpAndVersion() throws Exception {
        Dib.Result r = dib().run("disk-image-create", "-h");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.stdout().contains("--image-size") && r.stdout().contains("usage: disk-image-create"), r.all());
        r = dib().run("disk-image-create", "--version");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.stdout().startsWith("dib "), r.all());
    }
}

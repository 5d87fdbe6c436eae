// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Failures, Ctrl-C and SIGKILL: the build stops with a message naming the element, phase,
 * hook and exit status; nothing of the build stays (after {@code dib gc} for SIGKILL, whose
 * victim cannot clean up), and the download cache is untouched.
 */
@Tag("root")
class EngineFaultTest {
    @TempDir
    Path work;

    private Dib dib(Path tmp) throws Exception {
        Path cache = Files.createDirectories(work.resolve("cache"));
        Files.writeString(cache.resolve("precious"), "cached content");
        return new Dib(Files.createDirectories(work.resolve("out"))).env("TMP_DIR", tmp.toString())
                .env("DIB_IMAGE_CACHE", cache.toString());
    }

    private void assertCacheIntact() throws Exception {
        assertEquals("cached content", Files.readString(work.resolve("cache/precious")));
        try (var s = Files.list(work.resolve("cache"))) {
            assertEquals(List.of("precious"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "root", "extra-data", "pre-install", "install", "post-install", "post-root",
        "block-device", "pre-finalise", "finalise", "cleanup" })
    void failingHookStopsTheBuildAndLeavesNothing(String phase) throws Exception {
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Dib.Result r = dib(tmp).env("DIB_PROBE_FAIL", phase).run("disk-image-create", "-o", "fail", "-t", "tar",
                "fixture-busybox", "phase-probe");
        assertNotEquals(0, r.exit(), r.all());
        String err = r.stderr().strip();
        assertEquals(1, err.lines().count(), "one line on stderr: " + r.all());
        assertTrue(err.contains("hook " + phase + ".d/50-probe-" + phase), err);
        assertTrue(err.contains("element 'phase-probe'") && err.contains("exit status 3")
                && err.contains("phase " + phase) && err.contains("probe failing in " + phase), err);
        assertFalse(r.stderr().contains("Exception"), "no stack trace");
        assertFalse(Files.exists(work.resolve("out/fail.tar")), "no output");
        try (var s = Files.list(work.resolve("out"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains("dib-partial")), "no partial output");
        }
        assertEquals(List.of(), Leftovers.under(tmp));
        assertCacheIntact();
    }

    /** Starts a build that sleeps in {@code phase}, waits until it sleeps, returns the JVM process. */
    private Process startSleeping(Path tmp, String phase, String marker) throws Exception {
        ProcessBuilder pb = dib(tmp).env("DIB_PROBE_SLEEP", phase + ":" + marker)
                .builder("disk-image-create", List.of("-o", "sig", "-t", "tar", "fixture-busybox", "phase-probe"))
                .redirectOutput(work.resolve("sig.out").toFile()).redirectErrorStream(true);
        Process p = pb.start();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Leftovers.processes("sleep " + marker).isEmpty()) {
            assertTrue(p.isAlive(), "build ended early: " + Files.readString(work.resolve("sig.out")));
            assertTrue(Instant.now().isBefore(deadline), "the hook never started sleeping");
            Thread.sleep(100);
        }
        return p;
    }

    /** bin/dib execs java, so the started process is the JVM itself. */
    private static void signal(Process p, String sig) throws Exception {
        new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor();
    }

    @ParameterizedTest
    @ValueSource(strings = { "root", "install", "cleanup" })
    void ctrlCReleasesEverything(String phase) throws Exception {
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        String marker = "4" + (int) (Math.random() * 100000) + "1";
        Process p = startSleeping(tmp, phase, marker);
        signal(p, "INT");
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the JVM exits after SIGINT");
        assertNotEquals(0, p.exitValue());
        assertEquals(List.of(), Leftovers.processes("sleep " + marker), "the hook's process is gone");
        assertEquals(List.of(), Leftovers.under(tmp), "released without gc");
        assertFalse(Files.exists(work.resolve("out/sig.tar")));
        assertCacheIntact();
    }

    @ParameterizedTest
    @ValueSource(strings = { "root", "install", "finalise", "cleanup" })
    void sigkillLeavesNothingAfterGc(String phase) throws Exception {
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        String marker = "5" + (int) (Math.random() * 100000) + "1";
        Process p = startSleeping(tmp, phase, marker);
        signal(p, "KILL");
        p.waitFor();
        // the namespace holder dies with the JVM and takes the hook and every mount with it
        Instant deadline = Instant.now().plusSeconds(10);
        while (!Leftovers.processes("sleep " + marker).isEmpty() && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), Leftovers.processes("sleep " + marker), "no process survives the JVM");
        List<String> before = Leftovers.under(tmp);
        assertTrue(before.stream().noneMatch(s -> s.startsWith("mount") || s.startsWith("loop")),
                "no mount or loop device survives the JVM: " + before);
        Dib.Result gc = dib(tmp).run("dib", "gc");
        assertEquals(0, gc.exit(), gc.all());
        assertEquals(List.of(), Leftovers.under(tmp), "after gc: " + gc.stdout());
        assertCacheIntact();
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.shell.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.build.BuildEvent;
import dib.core.build.BuildRequest;
import dib.core.build.BuildResult;
import dib.core.build.BuildState;
import dib.shell.internal.Follower;

/** Following a build: its log from the file, the progress line on a terminal, stale logs ignored. */
class FollowerTest {
    @TempDir
    Path tmp;
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private FakeBuild build(String id) {
        return new FakeBuild(id, BuildRequest.builder().elements(List.of("fixture")).build(),
                tmp.resolve("img.d/build.log"));
    }

    private CompletableFuture<BuildResult> follow(FakeBuild b, boolean terminal, boolean quiet, boolean stamps) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new Follower(b, out, new Follower.Options(terminal, quiet, stamps, 60)).follow();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void plainLinesWithoutATerminalAndNothingMissedByAlateStart() throws Exception {
        FakeBuild b = build("1").header().line("Building elements: base fixture");
        // the follower starts after these lines were written and still prints them
        CompletableFuture<BuildResult> f = follow(b, false, false, false);
        b.line("second line");
        Thread.sleep(400);
        b.line("Build completed successfully");
        b.finish(BuildState.SUCCEEDED, 0, null, List.of(tmp.resolve("img.tar")));
        assertTrue(f.get().succeeded());
        assertEquals("dib 1.0.0 build 1: fixture\nBuilding elements: base fixture\nsecond line\n"
                + "Build completed successfully\n", text());
    }

    @Test
    void timestampsAreKeptByDefault() throws Exception {
        FakeBuild b = build("1").header().line("one");
        b.finish(BuildState.SUCCEEDED, 0, null, List.of());
        follow(b, false, false, true).get();
        assertTrue(text().lines().allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\| .*")),
                text());
    }

    @Test
    void aTerminalGetsAProgressLineRedrawnInPlace() throws Exception {
        FakeBuild b = build("4").header();
        CompletableFuture<BuildResult> f = follow(b, true, false, false);
        while (b.listeners.isEmpty()) {
            Thread.sleep(10); // events before the follower listens are not replayed
        }
        b.event(BuildEvent.phaseStarted("4", "install"));
        b.event(BuildEvent.hookStarted("4", "install", "example-motd", "50-example-motd"));
        Thread.sleep(600);
        b.line("motd written");
        Thread.sleep(600);
        b.finish(BuildState.SUCCEEDED, 0, null, List.of());
        f.get();
        String t = text();
        assertTrue(t.contains("\r[4] install | 50-example-motd (example-motd) | 0:0" ), t);
        assertTrue(t.contains(Follower.ERASE), t);
        // a log line first erases the progress line, which comes back below it
        int line = t.indexOf("motd written\n");
        assertTrue(line > 0 && t.substring(0, line).endsWith("\r" + Follower.ERASE), t);
        assertTrue(t.indexOf("\r[4] install", line) > line, t);
        // and at the end the progress line is gone
        assertTrue(t.endsWith("\r" + Follower.ERASE), t);
    }

    @Test
    void aFollowerStartingMidHookLearnsTheHookFromTheLog() throws Exception {
        FakeBuild b = build("5").header();
        b.event(BuildEvent.phaseStarted("5", "install"));
        b.event(BuildEvent.hookStarted("5", "install", "phase-probe", "50-probe-install"));
        b.line("dib-run-parts Running install.d/50-probe-install (element phase-probe)");
        // no listener saw the events above
        CompletableFuture<BuildResult> f = follow(b, true, true, false);
        Thread.sleep(600);
        assertTrue(text().contains("\r[5] install | 50-probe-install (phase-probe) | 0:0"), text());
        b.line("dib-run-parts 50-probe-install completed (20.0 s)");
        Thread.sleep(600);
        b.finish(BuildState.SUCCEEDED, 0, null, List.of());
        f.get();
        assertTrue(text().contains("\r[5] install | 0:0"), "the hook ended: " + text());
    }

    @Test
    void quietShowsOnlyTheProgressLine() throws Exception {
        FakeBuild b = build("2").header().line("a log line");
        CompletableFuture<BuildResult> f = follow(b, true, true, false);
        Thread.sleep(400);
        b.finish(BuildState.FAILED, 3, "hook failed", List.of());
        BuildResult r = f.get();
        assertEquals(3, r.exitStatus());
        assertFalse(text().contains("a log line"), text());
        assertTrue(text().contains("[2] "), text());
    }

    @Test
    void theLogOfAnEarlierBuildWithTheSameNameIsNotShown() throws Exception {
        // build 1 of an earlier dib process wrote img.d/build.log; this build is also number 1
        Path log = tmp.resolve("img.d/build.log");
        Files.createDirectories(log.getParent());
        Files.writeString(log, LocalDateTime.now().minusMinutes(5).format(FakeBuild.STAMP)
                + " | dib 1.0.0 build 1: old\n" + LocalDateTime.now().minusMinutes(5).format(FakeBuild.STAMP)
                + " | an old line\n");
        Thread.sleep(5);
        FakeBuild b = build("1");
        CompletableFuture<BuildResult> f = follow(b, false, false, false);
        Thread.sleep(400);
        b.header().line("a new line");
        b.finish(BuildState.SUCCEEDED, 0, null, List.of());
        f.get();
        assertEquals("dib 1.0.0 build 1: fixture\na new line\n", text());
    }
}

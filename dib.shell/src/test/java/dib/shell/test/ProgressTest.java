// SPDX-License-Identifier: Apache-2.0
package dib.shell.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.build.BuildEvent;
import dib.core.build.BuildRequest;
import dib.core.build.BuildState;
import dib.shell.internal.Progress;

/** The progress line: what each event kind changes, and that it never wraps. */
class ProgressTest {
    @TempDir
    Path tmp;

    private FakeBuild build() {
        return new FakeBuild("3", BuildRequest.builder().elements(List.of("ubuntu")).build(), tmp.resolve("log"));
    }

    @Test
    void phaseHookAndElapsedTime() {
        FakeBuild b = build();
        Progress p = new Progress(b);
        b.addListener(p);
        assertEquals("[3] preparing | 0:00", p.line(Instant.now(), 80));
        b.event(BuildEvent.phaseStarted("3", "install"));
        assertEquals("[3] install | 0:00", p.line(Instant.now(), 80));
        b.event(BuildEvent.hookStarted("3", "install", "example-motd", "50-example-motd"));
        assertEquals("[3] install | 50-example-motd (example-motd) | 0:00", p.line(Instant.now(), 80));
        b.event(BuildEvent.hookFinished("3", "install", "example-motd", "50-example-motd", Duration.ofSeconds(1), 0));
        assertEquals("[3] install | 0:00", p.line(Instant.now(), 80));
        b.finish(BuildState.SUCCEEDED, 0, null, List.of());
        assertEquals("[3] succeeded | 0:00", p.line(Instant.now(), 80));
    }

    @Test
    void downloadsShowWhileTheyProgress() {
        FakeBuild b = build();
        Progress p = new Progress(b);
        b.addListener(p);
        b.event(BuildEvent.phaseStarted("3", "root"));
        b.event(BuildEvent.download("3", "https://cloud-images.example/noble/root.tar.xz?x=1", 1_200_000,
                2_400_000));
        Instant now = Instant.now();
        assertEquals("[3] root | 0:00 | download root.tar.xz 1.2/2.4 MB 50%", p.line(now, 80));
        // an unknown size, then a stalled download disappears
        b.event(BuildEvent.download("3", "http://m/a.img", 5_000_000, -1));
        assertEquals("[3] root | 0:00 | download a.img 5.0 MB", p.line(now, 80));
        assertEquals("[3] root | 0:00", p.line(now.plusSeconds(3), 80));
    }

    @Test
    void theLineIsCutBelowTheTerminalWidth() {
        FakeBuild b = build();
        Progress p = new Progress(b);
        b.addListener(p);
        b.event(BuildEvent.phaseStarted("3", "install"));
        b.event(BuildEvent.hookStarted("3", "install", "an-element-with-a-long-name", "50-a-hook-with-a-long-name"));
        String line = p.line(Instant.now(), 40);
        assertEquals(39, line.length(), line);
        assertTrue(line.endsWith("..."), line);
    }

    @Test
    void elapsedAndAmounts() {
        assertEquals("0:07", Progress.elapsed(Duration.ofSeconds(7)));
        assertEquals("12:05", Progress.elapsed(Duration.ofSeconds(725)));
        assertEquals("1:00:01", Progress.elapsed(Duration.ofSeconds(3601)));
        assertEquals("0.0/1.0 MB 0%", Progress.amount(0, 1_000_000));
        assertEquals("1.0/1.0 MB 100%", Progress.amount(1_000_000, 1_000_000));
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.shell.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.build.BuildException;
import dib.core.build.BuildState;
import dib.shell.internal.BuildsCommand;
import dib.shell.internal.CancelCommand;
import dib.shell.internal.CommandFailure;
import dib.shell.internal.CreateCommand;
import dib.shell.internal.GcCommand;
import dib.shell.internal.LogCommand;
import dib.shell.internal.RamdiskCommand;

/** create, builds, log, cancel and gc through a real Gogo session, over builds the test drives. */
class BuildCommandsTest {
    @TempDir
    Path tmp;
    FakeBuild.Builder builder;
    Gogo gogo;

    @BeforeEach
    void setUp() {
        builder = new FakeBuild.Builder(tmp);
        gogo = new Gogo().command("create", new CreateCommand(builder)).command("ramdisk", new RamdiskCommand(builder))
                .command("builds", new BuildsCommand(builder)).command("log", new LogCommand(builder))
                .command("cancel", new CancelCommand(builder)).command("gc", new GcCommand(builder));
        gogo.session.put("DIB_NO_TIMESTAMP", "1");
    }

    @AfterEach
    void tearDown() {
        gogo.close();
    }

    private CommandFailure fails(String line) {
        return assertThrows(CommandFailure.class, () -> gogo.run(line));
    }

    /** Builds run on their own thread: header, two lines, then the given end. */
    private void runBuilds(BuildState end, int exit, String message) {
        builder.started = b -> new Thread(() -> {
            b.header().line("Building elements: " + String.join(" ", b.request().elements()));
            b.line(end == BuildState.SUCCEEDED ? "Build completed successfully" : "hook failed");
            b.finish(end, exit, message, List.of(tmp.resolve("img.tar")));
        }).start();
    }

    @Test
    void backgroundPrintsTheIdAndTheRequestCarriesOptionsAndSessionVariables() throws Exception {
        gogo.run("DIB_PROBE_SLEEP = install:6");
        assertFalse(gogo.session.get("DIB_PROBE_SLEEP") instanceof String, "Gogo keeps an unquoted word as a token");
        assertEquals("1\n", gogo.run("dib:create --background -o img -t tar,qcow2 -x -x -n -p a,b -p c fixture"));
        FakeBuild b = builder.builds.get(0);
        assertEquals(List.of("fixture"), b.request().elements());
        assertEquals("img", b.request().imageName());
        assertEquals(List.of("tar", "qcow2"), b.request().types());
        assertEquals(2, b.request().debugTrace());
        assertTrue(b.request().skipBase());
        assertEquals(List.of("a", "b", "c"), b.request().packages());
        assertEquals("install:6", b.request().environment().get("DIB_PROBE_SLEEP"), "an unquoted word is a token");
        assertFalse(b.request().environment().containsKey("SCOPE"), "Gogo's own variables stay out");
        assertEquals("{\n  \"id\": \"2\"\n}\n", gogo.run("dib:create --background --json fixture"));
    }

    @Test
    void foregroundPrintsTheLogAndFailsLikeTheBuild() throws Exception {
        runBuilds(BuildState.SUCCEEDED, 0, null);
        assertEquals("dib 1.0.0 build 1: fixture\nBuilding elements: fixture\nBuild completed successfully\n",
                gogo.run("dib:create -o img -t tar fixture"));
        runBuilds(BuildState.FAILED, 3, "hook 50-x of element x failed with exit status 3");
        CommandFailure f = fails("dib:create -o img -t tar fixture");
        assertEquals(3, f.status());
        assertEquals("hook 50-x of element x failed with exit status 3", f.getMessage());
        gogo.session.put("DIB_QUIET", "1");
        runBuilds(BuildState.SUCCEEDED, 0, null);
        assertEquals("", gogo.run("dib:create -o img -t tar fixture"));
    }

    @Test
    void foregroundJsonPrintsTheResult() throws Exception {
        runBuilds(BuildState.SUCCEEDED, 0, null);
        String json = gogo.run("dib:create --json -o img -t tar fixture");
        assertTrue(json.startsWith("{\n  \"id\": \"1\",\n  \"state\": \"SUCCEEDED\""), json);
        assertTrue(json.contains("\"outputs\": [\n    \"" + tmp.resolve("img.tar") + "\"\n  ]"), json);
        assertFalse(json.contains("Building elements"), "no log lines: " + json);
    }

    @Test
    void refusedRequestsAndBadOptions() {
        builder.refuse = new BuildException("element 'nope' not found (requested) in /x");
        CommandFailure f = fails("dib:create -t tar nope");
        assertEquals(1, f.status());
        assertEquals("element 'nope' not found (requested) in /x", f.getMessage());
        // upstream's getopt errors exit 1
        f = fails("dib:create --bogus fixture");
        assertEquals(1, f.status());
        assertEquals("disk-image-create: unrecognized option '--bogus'", f.getMessage());
        f = fails("dib:ramdisk -o");
        assertEquals("ramdisk-image-create: option requires an argument -- 'o'", f.getMessage());
        f = fails("dib:create -t tar");
        assertEquals("ERROR: At least one distribution root element must be specified", f.getMessage());
        f = fails("dib:create --min-tmpfs lots fixture");
        assertEquals("invalid --min-tmpfs 'lots': a whole number is expected", f.getMessage());
    }

    @Test
    void ramdiskAddsTheRamdiskElement() throws Exception {
        gogo.run("dib:ramdisk --background -o deploy fixture");
        assertEquals("ramdisk", builder.builds.get(0).request().ramdiskElement());
        gogo.run("dib:create --background --ramdisk-element dracut-ramdisk -o disk fixture");
        assertEquals(null, builder.builds.get(1).request().ramdiskElement(), "only under the ramdisk name");
    }

    @Test
    void buildsLogAndCancel() throws Exception {
        gogo.run("dib:create --background -o one fixture");
        FakeBuild one = builder.builds.get(0);
        one.header().line("first line");
        one.phase = "install";
        String table = gogo.run("dib:builds");
        assertEquals("ID  STATE    PHASE    ELAPSED  ELEMENTS", table.lines().findFirst().orElseThrow());
        assertTrue(table.lines().skip(1).findFirst().orElseThrow().matches("1 +RUNNING +install +0:0\\d +fixture"),
                table);
        assertTrue(gogo.run("dib:builds --json 1").contains("\"log\": \"" + tmp.resolve("one.d/build.log") + "\""));
        assertTrue(gogo.run("dib:log 1").endsWith(" | first line\n"), "log keeps the timestamps");

        assertEquals("build 1: cancelled\n", gogo.run("dib:cancel 1"));
        assertTrue(one.cancelled);
        assertTrue(gogo.run("dib:builds --json").contains("\"exitStatus\": 1"));

        CommandFailure f = fails("dib:log 7");
        assertEquals("log: no build with id '7' (known: 1)", f.getMessage());
        f = fails("dib:cancel 1 7");
        assertEquals("cancel: no build with id '7' (known: 1)", f.getMessage());
        f = fails("dib:log");
        assertEquals(2, f.status());
        f = fails("dib:log 1 2");
        assertEquals("log: one build id at a time (usage: log [-f|--follow] [--json] ID)", f.getMessage());
    }

    @Test
    void logFollowWaitsForTheEndAndFailsLikeTheBuild() throws Exception {
        gogo.run("dib:create --background -o two fixture");
        FakeBuild b = builder.builds.get(0);
        new Thread(() -> {
            b.header().line("working");
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            b.line("hook failed");
            b.finish(BuildState.FAILED, 1, "install.d/50-x failed", List.of());
        }).start();
        CommandFailure f = fails("dib:log -f 1");
        assertEquals("build 1 failed: install.d/50-x failed", f.getMessage());
        assertTrue(gogo.run("dib:log --json 1").contains("\"lines\": [\n"), "json lines");
    }

    @Test
    void gcReports() throws Exception {
        assertEquals("nothing to do (dry run)\n", gogo.run("dib:gc -n"));
        assertEquals("[\n  \"nothing to do\"\n]\n", gogo.run("dib:gc --json"));
        assertEquals("gc: unexpected argument 'now' (usage: gc [-n|--dry-run] [--json])", fails("dib:gc now")
                .getMessage());
    }

    @Test
    void anUnexpectedExceptionIsStillOneLine() {
        builder.started = b -> {
            throw new IllegalStateException("engine exploded\n\tat somewhere");
        };
        CommandFailure f = fails("dib:create --background fixture");
        assertEquals(1, f.status());
        assertEquals("disk-image-create: engine exploded; at somewhere", f.getMessage());
        assertEquals(f.getMessage(), f.toString(), "the console prints toString()");
    }
}

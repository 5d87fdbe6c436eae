// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interactive shell in a real terminal (tmux): builds in the background and in the
 * foreground, an element bundle installed while a build runs, used by a second build and
 * uninstalled while that build still needs it, the live progress line, Ctrl-C.
 */
@Tag("root")
class ShellTerminalTest {
    private static final Duration BUILD = Duration.ofMinutes(5);

    @TempDir
    Path work;

    @Test
    void installUseAndUninstallAnElementBundleWhileBuildsRun() throws Exception {
        Path out = Files.createDirectories(work.resolve("out"));
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Path deploy = work.resolve("deploy");
        Path jar = ShellFixtures.elementsJar();
        try (Tmux t = Tmux.start(work, out, Map.of("DIB_NO_BUILD", "1",
                "DIB_DEPLOY_DIR", deploy.toString(),
                "ELEMENTS_PATH", Dib.TEST_ELEMENTS.toString(), "TMP_DIR", tmp.toString(), "DIB_IMAGE_CACHE",
                work.resolve("cache").toString()))) {
            // a slow build in the background: phase-probe sleeps in install.d (a shell variable
            // of the session reaches the build's environment)
            assertEquals("install:20", t.command("DIB_PROBE_SLEEP = install:20", Duration.ofSeconds(10)).strip());
            String one = t.oneLine("create --background -o one -t tar fixture-busybox phase-probe");
            assertTrue(one.matches("\\d+"), one);

            // install the example element bundle while it runs, and list it
            String installed = t.oneLine("install " + jar);
            assertTrue(installed.matches("installed dib\\.example\\.elements \\S+ \\(bundle \\d+\\): elements: "
                    + "example-hello example-motd"), installed);
            assertTrue(Files.exists(deploy.resolve("dib.example.elements.jar")), "persisted in the deploy folder");
            assertTrue(row(t.command("builds", BUILD), one).contains("RUNNING"), "build " + one + " still runs");
            String bundles = t.command("bundles", BUILD);
            assertTrue(bundles.lines().anyMatch(l -> l.matches(
                    "\\d+ +dib\\.example\\.elements +1\\.0\\.0\\.SNAPSHOT +deploy +active +example-hello "
                            + "example-motd")), bundles);
            String elements = t.command("elements example-hello example-motd", BUILD);
            assertTrue(elements.lines().anyMatch(l -> l.matches(
                    "example-hello +bundle dib\\.example\\.elements 1\\.0\\.0\\.SNAPSHOT +example-motd")), elements);
            assertTrue(elements.lines().anyMatch(l -> l.matches(
                    "example-motd +bundle dib\\.example\\.elements 1\\.0\\.0\\.SNAPSHOT")), elements);

            // a second build uses the bundle's elements; uninstall the bundle while it is in install.d
            // (50-example-motd has run, 50-probe-install sleeps, 60-example-hello is still to come)
            String two = t.oneLine("create --background -o two -t tar fixture-busybox example-hello phase-probe");
            Tmux.await(BUILD, "build " + two + " sleeping in install.d", () -> row(t.command("builds " + two, BUILD),
                    two).matches(two + " +RUNNING +install .*"));
            String uninstalled = t.oneLine("uninstall dib.example.elements");
            assertEquals("uninstalled dib.example.elements 1.0.0.SNAPSHOT; elements example-hello example-motd are "
                    + "gone for new builds (running build " + two + " keeps them)", uninstalled);
            assertFalse(Files.exists(deploy.resolve("dib.example.elements.jar")));
            assertFalse(t.command("elements", BUILD).contains("example-"), "the catalog no longer has them");
            assertTrue(row(t.command("builds", BUILD), two).contains("RUNNING"), "build " + two + " goes on");

            // the next build no longer sees them: one clear line
            String missing = t.oneLine("create -o three -t tar fixture-busybox example-hello");
            assertTrue(missing.startsWith("element 'example-hello' not found (requested)"), missing);
            assertFalse(Files.exists(out.resolve("three.tar")));

            // follow build two to its end: its log, with the progress line on the terminal
            String followed = t.command("log -f " + two, BUILD);
            assertTrue(followed.contains("Build completed successfully"), followed);
            assertTrue(followed.contains("Running install.d/60-example-hello (element example-hello)"), followed);

            // a foreground build: log lines, a live progress line, a summary
            t.command("DIB_PROBE_SLEEP = ''", Duration.ofSeconds(10));
            String four = t.command("create -o four -t tar fixture-busybox phase-probe", BUILD);
            Matcher m = Pattern.compile("(?m)^build (\\d+) succeeded in \\d+:\\d\\d: " + Pattern.quote(
                    out.resolve("four.tar").toString()) + "$").matcher(four);
            assertTrue(m.find(), four);
            String fourId = m.group(1);
            assertTrue(four.contains("Running install.d/50-probe-install (element phase-probe)"), "log lines: " + four);

            // Ctrl-C cancels a foreground build; the shell stays
            t.command("DIB_PROBE_SLEEP = install:60", Duration.ofSeconds(10));
            long sleeping = count(t.screen(), "probe sleeping in install");
            String five = Integer.toString(Integer.parseInt(fourId) + 1);
            t.keys("create -o five -t tar fixture-busybox phase-probe");
            t.press("Enter");
            Tmux.await(BUILD, "build " + five + " sleeping", () -> count(t.screen(), "probe sleeping in install")
                    > sleeping && t.raw().contains("\r[" + five + "] install | 50-probe-install (phase-probe) |"));
            t.press("C-c");
            t.awaitPrompt(BUILD);
            String screen = t.screen();
            assertTrue(screen.lines()
                    .anyMatch(l -> l.equals("build " + five + " cancelled (Ctrl-C); nothing of it is left")), screen);
            assertFalse(screen.contains("Exception"), screen);

            // both background builds succeeded, with the bundle's hooks in build two
            String table = t.command("builds", BUILD);
            assertTrue(row(table, one).contains("SUCCEEDED"), table);
            assertTrue(row(table, two).contains("SUCCEEDED"), table);
            assertTrue(row(table, fourId).contains("SUCCEEDED"), table);
            assertTrue(row(table, five).contains("CANCELLED"), table);
            assertTrue(Files.size(out.resolve("one.tar")) > 100_000);
            assertEquals("Built by dib with the example element bundle.\n",
                    ShellFixtures.tarFile(out.resolve("two.tar"), "./etc/motd"));
            assertTrue(ShellFixtures.tarList(out.resolve("two.tar")).contains("./usr/local/bin/hello"),
                    "60-example-hello ran after the bundle was uninstalled");
            assertFalse(Files.exists(out.resolve("five.tar")));

            // the progress line: redrawn in place (carriage return, erase to end of line) with
            // the build id, phase, hook and element, elapsed time
            String raw = t.raw();
            assertTrue(Pattern.compile("\r\\[" + two
                    + "\\] install \\| 50-probe-install \\(phase-probe\\) \\| \\d+:\\d\\d"
                    + Pattern.quote("\033[K")).matcher(raw).find(), "progress of build " + two + " while following it");
            assertTrue(Pattern.compile("\r\\[" + fourId + "\\] [a-z-]+( \\| \\S+ \\([a-z-]+\\))? \\| 0:\\d\\d"
                    + Pattern.quote("\033[K")).matcher(raw).find(), "progress of the foreground build");

            t.exit(Duration.ofSeconds(60));
        }
        assertEquals(List.of(), Leftovers.under(work.resolve("tmp")));
        assertEquals(List.of(), Leftovers.processes(work.toString()));
    }

    /**
     * The progress line shows a download as it runs: the example distribution fetches its
     * busybox through the build's download cache, from a slow local HTTP server.
     */
    @Test
    void theProgressLineShowsDownloads() throws Exception {
        Path out = Files.createDirectories(work.resolve("out"));
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        byte[] busybox = Files.readAllBytes(Path.of("/bin/busybox").toRealPath());
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/tinybox/busybox", x -> {
            x.sendResponseHeaders(200, busybox.length);
            try (var body = x.getResponseBody()) {
                // about five seconds for the whole file
                int chunk = Math.max(1, busybox.length / 40);
                for (int i = 0; i < busybox.length; i += chunk) {
                    body.write(busybox, i, Math.min(chunk, busybox.length - i));
                    body.flush();
                    Thread.sleep(120);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        try (Tmux t = Tmux.start(work, out, Map.of("DIB_NO_BUILD", "1",
                "DIB_DEPLOY_DIR", work.resolve("deploy").toString(), "TMP_DIR", tmp.toString(), "DIB_IMAGE_CACHE",
                work.resolve("cache").toString()))) {
            assertTrue(t.oneLine("install " + ShellFixtures.distroJar()).startsWith("installed dib.example.distro"));
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/tinybox/busybox";
            t.command("DIB_TINYBOX_BUSYBOX_URL = " + url, Duration.ofSeconds(10));
            String built = t.command("create -o dl -t tar tinybox", BUILD);
            assertTrue(built.lines().anyMatch(l -> l.matches("build \\d+ succeeded in .*dl\\.tar")), built);
            Matcher m = Pattern.compile("\r\\[\\d+\\] root \\| 10-tinybox \\(tinybox\\) \\| \\d+:\\d\\d \\| download busybox"
                    + " (\\d+\\.\\d)/(\\d+\\.\\d) MB (\\d+)%").matcher(t.raw());
            List<Integer> percents = new java.util.ArrayList<>();
            while (m.find()) {
                percents.add(Integer.parseInt(m.group(3)));
            }
            assertTrue(percents.stream().anyMatch(p -> p > 0 && p < 100), "progress in between: " + percents);
            assertEquals(percents.stream().sorted().toList(), percents, "it only grows");
            t.exit(Duration.ofSeconds(60));
        } finally {
            server.stop(0);
        }
        assertTrue(ShellFixtures.tarList(out.resolve("dl.tar")).contains("./bin/busybox"));
        assertEquals(List.of(), Leftovers.under(tmp));
    }

    /**
     * Ctrl-C at the prompt must not touch builds running in the background: the build's
     * processes (namespace holder, nsenter, hooks) run in a session of their own, so the
     * terminal's SIGINT does not reach them.
     */
    @Test
    void ctrlCLeavesBackgroundBuildsAlone() throws Exception {
        Path out = Files.createDirectories(work.resolve("out"));
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        try (Tmux t = Tmux.start(work, out, Map.of("DIB_NO_BUILD", "1",
                "DIB_DEPLOY_DIR",
                work.resolve("deploy").toString(), "ELEMENTS_PATH", Dib.TEST_ELEMENTS.toString(), "TMP_DIR",
                tmp.toString(), "DIB_PROBE_SLEEP", "install:15"))) {
            String id = t.oneLine("create --background -o bg -t tar fixture-busybox phase-probe");
            Tmux.await(BUILD, "build " + id + " in install.d", () -> row(t.command("builds " + id, BUILD), id)
                    .matches(id + " +RUNNING +install .*"));
            t.interrupt(Duration.ofSeconds(30));
            t.command("log -f " + id, BUILD);
            assertTrue(row(t.command("builds", BUILD), id).contains("SUCCEEDED"), t.screen());
            t.exit(Duration.ofSeconds(60));
        }
        assertEquals(List.of(), Leftovers.under(tmp));
    }

    private static long count(String text, String what) {
        return text.lines().filter(l -> l.contains(what)).count();
    }

    /** @return the row of build {@code id} in a 'builds' table */
    private static String row(String table, String id) {
        return table.lines().filter(l -> l.startsWith(id + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no build " + id + " in:\n" + table));
    }
}

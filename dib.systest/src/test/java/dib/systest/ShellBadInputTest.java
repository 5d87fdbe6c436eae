// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input in one interactive session: every mistake is one clear line, nothing is changed
 * by a refused install, and the same session keeps working afterwards (installs, lists,
 * builds). The same mistakes through bin/dib exit non-zero with the line on stderr.
 */
@Tag("root")
class ShellBadInputTest {
    @TempDir
    Path work;

    private record Case(String command, String message) {
    }

    @Test
    void eachMistakeIsOneLineAndTheSessionGoesOn() throws Exception {
        Path out = Files.createDirectories(work.resolve("out"));
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Path deploy = work.resolve("deploy");
        Path bad = Files.createDirectories(work.resolve("bad"));
        Path text = Files.writeString(bad.resolve("notes.jar"), "not a zip file\n");
        Path plainJar = ShellFixtures.zip(bad.resolve("plain.jar"), "hello.txt", "hi\n");
        Path noFolder = ShellFixtures.jar(bad.resolve("nofolder.jar"), ShellFixtures.elementBundle("x.nofolder"),
                Map.of("other/readme.txt", "no elements here\n"));
        Path clashBase = ShellFixtures.jar(bad.resolve("clash-base.jar"), ShellFixtures.elementBundle("x.clash.base"),
                Map.of("elements/base/README.rst", "base again\n"));
        Path clashMotd = ShellFixtures.jar(bad.resolve("clash-motd.jar"), ShellFixtures.elementBundle("x.clash.motd"),
                Map.of("elements/example-motd/README.rst", "another example-motd\n"));
        Map<String, String> unresolvable = new java.util.HashMap<>(ShellFixtures.elementBundle("x.unresolvable"));
        unresolvable.put("Import-Package", "com.example.missing;version=\"[1,2)\"");
        Path noResolve = ShellFixtures.jar(bad.resolve("unresolvable.jar"), unresolvable,
                Map.of("elements/x-unresolvable/README.rst", "needs a package nobody exports\n"));
        Path core = Dib.TOP.resolve("dib.core/target/dib.core-1.0.0-SNAPSHOT.jar");

        try (Tmux t = Tmux.start(work, out, Map.of("DIB_NO_BUILD", "1",
                "DIB_DEPLOY_DIR", deploy.toString(),
                "ELEMENTS_PATH", Dib.TEST_ELEMENTS.toString(), "TMP_DIR", tmp.toString(), "DIB_IMAGE_CACHE",
                work.resolve("cache").toString()))) {
            String ok = t.oneLine("install " + ShellFixtures.elementsJar());
            assertTrue(ok.startsWith("installed dib.example.elements "), ok);

            List<Case> cases = List.of(
                    new Case("install " + text, "install: " + text + " is not a bundle (not a jar file)"),
                    new Case("install " + plainJar, "install: " + plainJar
                            + " is not an OSGi bundle (its manifest has no Bundle-SymbolicName)"),
                    new Case("install " + noFolder, "install: bundle x.nofolder (" + noFolder
                            + ") names DIB-Elements folder 'elements', which it does not contain"),
                    new Case("install " + clashBase, "install: bundle x.clash.base carries element already installed:"
                            + " base (bundle dib.core 1.0.0.SNAPSHOT); uninstall that bundle first or rename the"
                            + " element"),
                    new Case("install " + clashMotd, "install: bundle x.clash.motd carries element already installed:"
                            + " example-motd (bundle dib.example.elements 1.0.0.SNAPSHOT)"),
                    new Case("install " + noResolve, "install: bundle x.unresolvable 1.0.0 cannot start:"),
                    new Case("install " + core, "install: dib.core is part of dib's runtime"),
                    new Case("install " + work.resolve("missing.jar"), "install: " + work.resolve("missing.jar")
                            + ": no such file"),
                    new Case("install com.example:nothing:1.0", "install: com.example:nothing:1.0 is not in the local"
                            + " Maven repository"),
                    new Case("install", "install: a bundle location is required (usage: install [--json] LOCATION)"),
                    new Case("uninstall dib.core", "uninstall: bundle dib.core is part of dib's runtime"),
                    new Case("uninstall x.nothing", "uninstall: no bundle named 'x.nothing' is installed"
                            + " (installed: dib.example.elements)"),
                    new Case("log 42", "log: no build with id '42' (no builds yet in this dib)"),
                    new Case("cancel 42", "cancel: no build with id '42'"),
                    new Case("builds 42", "builds: no build with id '42'"),
                    new Case("log -f", "log: a build id is required"),
                    new Case("create --bogus fixture-busybox", "disk-image-create: unrecognized option '--bogus'"),
                    new Case("create -t tar -o", "disk-image-create: option requires an argument -- 'o'"),
                    new Case("create -t tar", "ERROR: At least one distribution root element must be specified"),
                    new Case("create -t bogus fixture-busybox", "unknown output type 'bogus' (-t)"),
                    new Case("elements -q", "elements: invalid option -- 'q'"),
                    new Case("bundles --jsn", "bundles: unrecognized option '--jsn'"),
                    new Case("element-info -d no-such-element", "element 'no-such-element' not found"));
            for (Case c : cases) {
                String line = t.oneLine(c.command());
                assertTrue(line.startsWith(c.message()), "'" + c.command() + "' printed:\n" + line + "\nexpected:\n"
                        + c.message());
                assertFalse(line.contains("Exception") || line.contains("\tat "), line);
            }

            // nothing of the refused bundles stayed
            try (var s = Files.list(deploy)) {
                assertEquals(List.of("dib.example.elements.jar"), s.map(p -> p.getFileName().toString()).toList());
            }
            String bundles = t.command("bundles", Duration.ofMinutes(1));
            assertFalse(bundles.contains("x.") || bundles.contains("rejected"), bundles);
            assertEquals(1, t.command("elements", Duration.ofMinutes(1)).lines()
                    .filter(l -> l.startsWith("example-motd ")).count());

            // a file dropped into the deploy folder by hand that is no bundle: listed, removable
            Files.writeString(deploy.resolve("broken.jar"), "not a jar\n");
            Tmux.await(Duration.ofSeconds(30), "bundles listing broken.jar", () -> t.command("bundles",
                    Duration.ofMinutes(1)).lines()
                    .anyMatch(l -> l.matches("- +broken\\.jar +deploy +not installed: not a bundle")));
            assertEquals("removed " + deploy.resolve("broken.jar") + " from the deploy folder (it was not a running"
                    + " bundle)", t.oneLine("uninstall broken.jar"));

            // the same session still works: list, install, build with the bundle's element
            String distro = t.oneLine("install " + ShellFixtures.distroJar());
            assertTrue(distro.matches("installed dib\\.example\\.distro \\S+ \\(bundle \\d+\\): elements: tinybox;"
                    + " distros: tinybox"), distro);
            String built = t.command("create -o fine -t tar tinybox example-motd", Duration.ofMinutes(5));
            assertTrue(built.lines().anyMatch(l -> l.matches("build \\d+ succeeded in .*fine\\.tar")), built);
            assertEquals("Built by dib with the example element bundle.\n",
                    ShellFixtures.tarFile(out.resolve("fine.tar"), "./etc/motd"));
            assertTrue(ShellFixtures.tarFile(out.resolve("fine.tar"), "./etc/os-release").contains("ID=tinybox"));
            t.exit(Duration.ofSeconds(60));
        }
        assertEquals(List.of(), Leftovers.under(tmp));
    }

    @Test
    void theSameMistakesThroughBinDib() throws Exception {
        Path deploy = work.resolve("deploy");
        Dib dib = new Dib(Files.createDirectories(work.resolve("out"))).env("DIB_DEPLOY_DIR", deploy.toString());
        Path text = Files.writeString(work.resolve("notes.jar"), "not a zip file\n");
        record Exit(String[] args, int status, String message) {
        }
        for (Exit e : List.of(
                new Exit(new String[] { "install", text.toString() }, 1, "install: " + text + " is not a bundle"),
                new Exit(new String[] { "log", "7" }, 1, "log: no build with id '7'"),
                new Exit(new String[] { "cancel", "7" }, 1, "cancel: no build with id '7'"),
                new Exit(new String[] { "create", "--bogus", "x" }, 1, "disk-image-create: unrecognized option"),
                new Exit(new String[] { "elements", "-q" }, 2, "elements: invalid option -- 'q'"),
                new Exit(new String[] { "uninstall" }, 2, "uninstall: a bundle name is required"))) {
            Dib.Result r = dib.run("dib", e.args());
            assertEquals(e.status(), r.exit(), r.all());
            assertEquals(1, r.stderr().strip().lines().count(), r.all());
            assertTrue(r.stderr().startsWith(e.message()), r.all());
            assertEquals("", r.stdout(), r.all());
        }
        try (var s = Files.list(deploy)) {
            assertEquals(0, s.count(), "nothing was installed");
        }

        // --background in a one-shot command line: the build cannot outlive bin/dib; it is
        // cancelled cleanly, and said so
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Dib.Result r = dib.env("TMP_DIR", tmp.toString()).env("DIB_PROBE_SLEEP", "install:30")
                .run("dib", "create", "--background", "-o", "bg", "-t", "tar", "fixture-busybox", "phase-probe");
        assertEquals(0, r.exit(), r.all());
        assertEquals("1\n", r.stdout(), r.all());
        assertEquals("dib: build 1 is still running and is cancelled: bin/dib ends with its command line (follow it"
                + " on the same line with 'log -f 1', or use the interactive shell)\n", r.stderr());
        assertFalse(Files.exists(work.resolve("out/bg.tar")));
        assertEquals(List.of(), Leftovers.under(tmp));
    }
}

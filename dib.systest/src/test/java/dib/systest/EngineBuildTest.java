// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full {@code disk-image-create -t tar} build with the busybox fixture and the
 * phase-probe element, checked from outside: every phase ran where upstream runs it, with
 * upstream's environment, -p reached install-packages, element-deps were followed, the
 * build settings are in /etc, and nothing of the build is left behind.
 */
@Tag("root")
class EngineBuildTest {
    @TempDir
    static Path work;
    static Path tmp;
    static Dib.Result result;
    static Map<String, String> files = new TreeMap<>();

    @BeforeAll
    static void build() throws Exception {
        tmp = Files.createDirectories(work.resolve("tmp"));
        Path out = Files.createDirectories(work.resolve("out"));
        result = new Dib(out).env("TMP_DIR", tmp.toString()).env("DIB_PROBE_VALUE", "hello world")
                .env("DIB_IMAGE_CACHE", work.resolve("cache").toString())
                .run("disk-image-create", "-x", "-o", "probe", "-t", "tar", "-p", "foo,bar", "-p", "baz",
                        "fixture-busybox", "phase-probe");
        Path tar = out.resolve("probe.tar");
        if (Files.exists(tar)) {
            for (String f : List.of("probe.log", "probe-packages.log", "probe-dep", "etc/dib_environment",
                    "etc/dib_arguments")) {
                files.put(f, extract(tar, "./" + f));
            }
        }
    }

    static String extract(Path tar, String member) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tar", "-xOf", tar.toString(), member).redirectErrorStream(false).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return p.exitValue() == 0 ? s : null;
    }

    @Test
    void buildSucceeds() {
        assertEquals(0, result.exit(), result.all());
        assertTrue(result.stdout().contains("Build completed successfully"), result.all());
        assertTrue(Files.exists(work.resolve("out/probe.tar")));
        assertTrue(Files.exists(work.resolve("out/probe.d/build.log")), "the log is kept in the .d folder");
    }

    @Test
    void everyPhaseRanInOrderAndInTheRightPlace() {
        String log = files.get("probe.log");
        assertTrue(log != null, result.all());
        List<String> phases = log.lines().map(l -> l.split(" ")[0] + " " + l.split(" ")[1]).toList();
        assertEquals(List.of("root where=host", "extra-data where=host", "pre-install where=chroot",
                "install where=chroot", "post-install where=chroot", "post-root where=host",
                "block-device where=host", "pre-finalise where=host", "finalise where=chroot",
                "cleanup where=host"), phases);
    }

    @Test
    void hooksSeeUpstreamsEnvironment() {
        for (String line : files.get("probe.log").lines().toList()) {
            assertTrue(line.contains("dib=hello world"), "DIB_* passed: " + line);
            assertTrue(line.contains("arch=amd64"), "ARCH: " + line);
            assertTrue(line.contains("hooks=set") && line.contains("image=set"), line);
            assertTrue(line.contains("offline=set"), "DIB_OFFLINE always set: " + line);
            assertTrue(line.contains("envd=envd-value"), "environment.d sourced: " + line);
        }
        assertTrue(files.get("probe.log").lines().filter(l -> l.contains("where=chroot"))
                .allMatch(l -> l.contains("home=/root")));
    }

    @Test
    void extraPackagesAndElementDeps() {
        assertTrue(files.get("probe-packages.log").contains("install-packages foo bar baz"),
                files.get("probe-packages.log"));
        assertEquals("dep installed\n", files.get("probe-dep"));
    }

    @Test
    void buildSettingsRecordedInTheImage() {
        assertTrue(files.get("etc/dib_environment").contains("declare -x DIB_PROBE_VALUE=\"hello world\""),
                files.get("etc/dib_environment"));
        assertTrue(files.get("etc/dib_arguments").contains("fixture-busybox phase-probe"),
                files.get("etc/dib_arguments"));
    }

    @Test
    void treeHasNoHostMountsOrBuildLeftovers() throws Exception {
        Process p = new ProcessBuilder("tar", "-tf", work.resolve("out/probe.tar").toString()).start();
        List<String> names = new String(p.getInputStream().readAllBytes()).lines().toList();
        p.waitFor();
        assertTrue(names.contains("./bin/busybox"), "the fixture's tree");
        List<String> offenders = names.stream().filter(n -> n.startsWith("./proc") || n.startsWith("./sys")
                || (n.startsWith("./dev/") && !n.equals("./dev/")) || n.contains("in_target.d")
                || (n.startsWith("./tmp/") && !n.equals("./tmp/"))).toList();
        assertEquals(List.of(), offenders, "no /proc, /sys, host /dev, hooks or /tmp content in the tree");
        assertFalse(names.contains("./usr/local/bin/install-packages"), "cleanup.d ran");
    }

    @Test
    void hookTimingsAndTraceInTheLog() throws Exception {
        String log = Files.readString(work.resolve("out/probe.d/build.log"));
        assertTrue(log.contains("PROFILING") && log.contains("50-probe-install"), log);
        assertTrue(log.matches("(?s).*\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\| .*"), "timestamped");
        assertTrue(log.contains("Sourcing environment file"), log);
    }

    @Test
    void nothingLeftBehind() throws Exception {
        assertEquals(List.of(), Leftovers.under(tmp));
    }
}

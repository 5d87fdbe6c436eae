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
 * Installed bundles survive restarts. Every bin/dib call starts a fresh framework (its
 * storage is thrown away at exit), so what a later call sees came back from the deploy
 * folder. Installs from a path and from Maven coordinates (a local repository made here);
 * the interactive shell starts with them too; an uninstall also persists.
 */
@Tag("root")
class ShellRestartTest {
    @TempDir
    Path work;

    @Test
    void installedBundlesAreThereAfterARestart() throws Exception {
        Path out = Files.createDirectories(work.resolve("out"));
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Path deploy = work.resolve("deploy");
        // a local Maven repository holding the distribution example, as 'mvn install' would leave it
        Path repo = work.resolve("m2");
        Path artifact = Files.createDirectories(repo.resolve("dib/dib.example.distro/1.0.0-SNAPSHOT"))
                .resolve("dib.example.distro-1.0.0-SNAPSHOT.jar");
        Files.copy(ShellFixtures.distroJar(), artifact);
        Dib dib = new Dib(out).env("DIB_DEPLOY_DIR", deploy.toString()).env("TMP_DIR", tmp.toString())
                .env("DIB_IMAGE_CACHE", work.resolve("cache").toString())
                .env("DIB_JAVA_OPTS", "-Dmaven.repo.local=" + repo);

        Dib.Result r = dib.run("dib", "install", ShellFixtures.elementsJar().toString());
        assertEquals(0, r.exit(), r.all());
        r = dib.run("dib", "install", "dib:dib.example.distro:1.0.0-SNAPSHOT");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.stdout().startsWith("installed dib.example.distro 1.0.0.SNAPSHOT"), r.all());

        // a new framework: both bundles are back, active, with their elements and distribution
        r = dib.run("dib", "bundles");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.stdout().lines().anyMatch(l -> l.matches("\\d+ +dib\\.example\\.elements +1\\.0\\.0\\.SNAPSHOT"
                + " +deploy +active +example-hello example-motd")), r.all());
        assertTrue(r.stdout().lines().anyMatch(l -> l.matches("\\d+ +dib\\.example\\.distro +1\\.0\\.0\\.SNAPSHOT"
                + " +deploy +active +distros: tinybox +tinybox")), r.all());
        r = dib.run("dib", "distros", "--json");
        assertTrue(r.stdout().contains("\"name\": \"tinybox\""), r.all());

        // and they work: a build with the distribution and the element bundle, after the restart
        r = dib.env("DIB_QUIET", "1").run("disk-image-create", "-o", "tiny", "-t", "tar", "tinybox", "example-hello");
        assertEquals(0, r.exit(), r.all());
        Path tar = out.resolve("tiny.tar");
        assertTrue(ShellFixtures.tarFile(tar, "./etc/os-release").contains("ID=tinybox"));
        assertTrue(ShellFixtures.tarList(tar).contains("./usr/local/bin/hello"));
        assertTrue(ShellFixtures.tarList(tar).contains("./bin/busybox"));

        // the interactive shell starts with them too; uninstall one there
        try (Tmux t = Tmux.start(work, out, Map.of("DIB_NO_BUILD", "1",
                "DIB_DEPLOY_DIR", deploy.toString(),
                "TMP_DIR", tmp.toString()))) {
            String table = t.command("bundles", Duration.ofMinutes(1));
            assertTrue(table.contains("dib.example.elements") && table.contains("dib.example.distro"), table);
            assertTrue(t.oneLine("uninstall dib.example.distro").startsWith("uninstalled dib.example.distro"));
            t.exit(Duration.ofSeconds(60));
        }

        // restarted once more: the uninstall persisted, the other bundle is still there
        r = dib.run("dib", "bundles");
        assertFalse(r.stdout().contains("dib.example.distro"), r.all());
        assertTrue(r.stdout().contains("dib.example.elements"), r.all());
        r = dib.run("dib", "elements", "tinybox");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.stderr().startsWith("elements: no element named 'tinybox'"), r.all());
        try (var s = Files.list(deploy)) {
            assertEquals(List.of("dib.example.elements.jar"), s.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals(List.of(), Leftovers.under(tmp));
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Debian builds from the Debian mirror (the build host's, as the debian-minimal element
 * finds it): {@code disk-image-create -o deb debian vm debian-test-pkgs} produces a qcow2
 * that boots under qemu (TCG) to a login prompt, and the package the test element names in
 * its package-installs.yaml runs in the booted system. Then the failure paths: offline
 * without caches, a package missing from the apt cache offline, an unknown package, an
 * unreachable mirror; each one clear line, nothing left behind (those builds leave base out,
 * {@code -n}, to fail sooner).
 *
 * <p>The image cache lives in {@code dib.systest/target/debian-cache}, so the debootstrap
 * tarball and the .debs are downloaded once per checkout (and once per CI run).
 */
@Tag("root")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebianBuildTest {
    static final Path CACHE = Dib.TOP.resolve("dib.systest/target/debian-cache");
    static final boolean VM = Files.isDirectory(Dib.TOP.resolve("dib.blockdevice/src/main/elements/vm"));

    @TempDir
    static Path work;
    static Path tmp;
    static Path out;

    @BeforeAll
    static void dirs() throws IOException {
        tmp = Files.createDirectories(work.resolve("tmp"));
        out = Files.createDirectories(work.resolve("out"));
        Files.createDirectories(CACHE);
    }

    @AfterAll
    static void nothingLeft() throws IOException {
        assertEquals(List.of(), Leftovers.under(tmp));
        try (var s = Files.list(CACHE)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".dib-tmp-"))
                    .toList(), "no partial tarball in the cache");
        }
    }

    static Dib dib(Path cache) {
        return new Dib(out).env("TMP_DIR", tmp.toString()).env("DIB_IMAGE_CACHE", cache.toString())
                .env("DIB_DEBOOTSTRAP_CACHE", "1").env("DIB_DEBIAN_USE_DEBOOTSTRAP_CACHE", "1")
                .env("ELEMENTS_PATH", Dib.TEST_ELEMENTS.toString());
    }

    /** The one error line of a failed build (stderr carries nothing else). */
    static String errorLine(Dib.Result r) {
        assertNotEquals(0, r.exit(), r.all());
        List<String> lines = r.stderr().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), r.all());
        return lines.get(0);
    }

    @Test
    @Order(1)
    @Tag("boot")
    void debianVmBootsAndRunsThePackageOfTheTestElement() throws Exception {
        Dib.Result r = VM ? dib(CACHE).run(Duration.ofMinutes(40), "disk-image-create", "-o", "deb", "debian", "vm",
                "debian-test-pkgs")
                : dib(CACHE).run(Duration.ofMinutes(40), "disk-image-create", "-t", "tar", "-o", "deb", "debian",
                        "debian-test-pkgs");
        assertEquals(0, r.exit(), Dib.tail(r.all(), 60));
        Path tarball = CACHE.resolve("debootstrap-debian-bookworm-amd64.tar.gz");
        assertTrue(Files.isRegularFile(tarball));
        // the build host's DNS settings and name stay out of the cached tree
        assertEquals("", DistroBuildTest.member(tarball, "etc/resolv.conf"));
        assertEquals("debian\n", DistroBuildTest.member(tarball, "etc/hostname"));
        // the dpkg manifest saved next to the image: hello installed, figlet (build-only) gone again
        String manifest = Files.readString(out.resolve("deb.d/dib-manifests/dib-manifest-dpkg-deb"));
        assertTrue(manifest.contains("{\"package\": \"hello\""), manifest);
        // removed (apt-get remove, as upstream: "rc", its configuration files stay)
        assertTrue(manifest.contains("{\"package\": \"figlet\""), manifest);
        assertFalse(manifest.lines().anyMatch(l -> l.contains("\"figlet\"") && l.contains("\"ii \"")), manifest);
        assertTrue(manifest.contains("{\"package\": \"linux-image-amd64\""), manifest);
        assertTrue(manifest.contains("{\"package\": \"cloud-init\""), manifest);
        if (!VM) {
            Path tar = out.resolve("deb.tar");
            assertTrue(DistroBuildTest.member(tar, "usr/bin/hello") != null);
            assertEquals(null, DistroBuildTest.member(tar, "usr/bin/figlet"));
            assertTrue(DistroBuildTest.member(tar, "etc/dib-test-figlet").contains("|"));
            assertEquals(null, DistroBuildTest.member(tar, "usr/sbin/policy-rc.d"));
            return;
        }
        Path image = out.resolve("deb.qcow2");
        assertTrue(Files.isRegularFile(image), r.all());
        String console = boot(image, "login:", Duration.ofMinutes(20));
        // kept for people reading a CI run
        Files.writeString(Dib.TOP.resolve("dib.systest/target/debian-boot-console.log"), console,
                StandardCharsets.ISO_8859_1);
        assertTrue(console.contains("DIB-TEST-HELLO: Hello, world!"), Dib.tail(console, 40));
    }

    /**
     * Boots the image under qemu (TCG, no network, a throw-away overlay) until {@code marker}
     * appears on the serial console; qemu is always stopped.
     *
     * @return the console output
     */
    static String boot(Path image, String marker, Duration limit) throws Exception {
        Path console = work.resolve("console.log");
        Files.deleteIfExists(console);
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "qemu-system-x86_64", "-accel", "tcg", "-m", "1024", "-smp", "1",
                "-nographic", "-monitor", "none", "-nic", "none", "-serial", "file:" + console, "-snapshot", "-drive",
                "file=" + image + ",if=virtio,format=qcow2"));
        Process q = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("qemu.out").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        Instant end = Instant.now().plus(limit);
        try {
            while (Instant.now().isBefore(end) && q.isAlive()) {
                if (Files.exists(console) && Files.readString(console, StandardCharsets.ISO_8859_1).contains(marker)) {
                    return Files.readString(console, StandardCharsets.ISO_8859_1);
                }
                Thread.sleep(1000);
            }
            String c = Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
            throw new AssertionError("no '" + marker + "' on the serial console within " + limit + " (qemu "
                    + (q.isAlive() ? "still running" : "exited " + q.exitValue() + ": "
                            + Files.readString(work.resolve("qemu.out"))) + "); last console lines:\n" + Dib.tail(c, 40));
        } finally {
            q.destroyForcibly();
            q.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(2)
    void offlineWithoutCachesSaysWhatIsMissing() throws Exception {
        Path empty = Files.createDirectories(work.resolve("empty-cache"));
        Dib.Result r = dib(empty).run(Duration.ofMinutes(5), "disk-image-create", "-n", "--offline", "-t", "tar",
                "-o", "off", "debian-minimal");
        String line = errorLine(r);
        assertTrue(line.contains("offline mode (DIB_OFFLINE) and no cached debootstrap tree " + empty
                + "/debootstrap-debian-bookworm-amd64.tar.gz (build once online with DIB_DEBOOTSTRAP_CACHE=1)"), line);
        assertTrue(line.startsWith("hook root.d/08-debootstrap of element 'debootstrap' failed"), line);
        assertFalse(Files.exists(out.resolve("off.tar")));
        assertEquals(List.of(), Leftovers.under(tmp));
        // the debootstrap tarball alone is not enough: apt's package lists are missing too
        Files.copy(CACHE.resolve("debootstrap-debian-bookworm-amd64.tar.gz"),
                empty.resolve("debootstrap-debian-bookworm-amd64.tar.gz"));
        r = dib(empty).run(Duration.ofMinutes(5), "disk-image-create", "-n", "--offline", "-t", "tar", "-o",
                "off", "debian-minimal");
        line = errorLine(r);
        assertTrue(line.contains("debian-minimal: offline mode (DIB_OFFLINE) and no cached package lists in " + empty
                + "/apt/lists/debian-bookworm-amd64 (build once online)"), line);
        assertEquals(List.of(), Leftovers.under(tmp));
    }

    @Test
    @Order(3)
    void offlineNamesTheDebsTheAptCacheLacks() throws Exception {
        Dib.Result r = dib(CACHE).run(Duration.ofMinutes(15), "disk-image-create", "-n", "--offline", "-t", "tar",
                "-o", "cow", "debian-minimal", "debian-test-offline-pkg");
        String line = errorLine(r);
        assertTrue(line.contains("install-packages: offline mode (DIB_OFFLINE) and"), line);
        assertTrue(line.contains("are not in the apt cache " + CACHE + "/apt/debian: "), line);
        assertTrue(line.contains(" cowsay_3"), line);
        assertTrue(line.startsWith("hook pre-install.d/10-package-installs of element 'package-installs' failed"), line);
        assertFalse(Files.exists(out.resolve("cow.tar")));
        assertEquals(List.of(), Leftovers.under(tmp));
    }

    @Test
    @Order(4)
    void anUnknownPackageIsNamedWithTheElementThatAskedForIt() throws Exception {
        Dib.Result r = dib(CACHE).run(Duration.ofMinutes(15), "disk-image-create", "-n", "-t", "tar", "-o",
                "unknown", "debian-minimal", "debian-test-unknown-pkg");
        String line = errorLine(r);
        assertTrue(line.contains("package-installs: package 'dib-test-no-such-package' (asked for in pre-install.d by"
                + " element debian-test-unknown-pkg) is not known to the image's package manager"), line);
        assertFalse(Files.exists(out.resolve("unknown.tar")));
        assertEquals(List.of(), Leftovers.under(tmp));
    }

    @Test
    @Order(5)
    void anUnreachableMirrorIsNamed() throws Exception {
        Path empty = Files.createDirectories(work.resolve("mirror-cache"));
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String mirror = "http://127.0.0.1:" + port + "/debian";
        Dib.Result r = dib(empty).env("DIB_DISTRIBUTION_MIRROR", mirror).run(Duration.ofMinutes(5),
                "disk-image-create", "-n", "-t", "tar", "-o", "nomirror", "debian-minimal");
        String line = errorLine(r);
        assertTrue(line.contains("of debian bookworm (amd64) from " + mirror + " failed with exit status"), line);
        assertFalse(Files.exists(empty.resolve("debootstrap-debian-bookworm-amd64.tar.gz")));
        try (var s = Files.list(empty)) {
            assertEquals(List.of(), s.filter(p -> !p.getFileName().toString().endsWith(".lock")).toList());
        }
        assertEquals(List.of(), Leftovers.under(tmp));
    }
}

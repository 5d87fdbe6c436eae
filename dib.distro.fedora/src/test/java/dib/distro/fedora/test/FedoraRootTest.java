// SPDX-License-Identifier: Apache-2.0
package dib.distro.fedora.test;

import static dib.distro.testing.Fixtures.bash;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.build.BuildException;
import dib.core.sandbox.Exec;
import dib.distro.fedora.internal.FedoraDistribution;
import dib.distro.testing.Fixtures;
import dib.distro.testing.Mirror;
import dib.distro.testing.TestBuild;

/**
 * The fedora distribution service against a Fedora mirror on loopback serving a partitioned
 * qcow2 made by the test (GPT: /boot ext4 labelled boot, root ext4), with a CHECKSUM file as
 * Fedora publishes it.
 */
@Tag("root")
class FedoraRootTest {
    static final String DIR = "releases/42/Cloud/x86_64/images/";
    static final String IMAGE = "Fedora-Cloud-Base-Generic-42-1.10.x86_64.qcow2";
    static final String CHECKSUM = "Fedora-Cloud-42-1.10-x86_64-CHECKSUM";

    @TempDir
    static Path shared;
    static Path mirrorRoot;
    static Path qcow2;
    static Mirror mirror;

    @TempDir
    Path tmp;

    @BeforeAll
    static void fixtures() throws Exception {
        System.setProperty("dib.download.retryDelayMillis", "10");
        Path root = Fixtures.busyboxTree(shared.resolve("root"));
        Fixtures.write(root, "etc/os-release", "NAME=\"Fedora Linux\"\nVERSION_ID=42\n");
        Fixtures.write(root, "etc/yum.repos.d/fedora.repo", "[fedora]\nname=Fedora $releasever - $basearch\n"
                + "#baseurl=http://download.example/pub/fedora/linux/releases/$releasever/Everything/$basearch/os/\n"
                + "metalink=https://mirrors.fedoraproject.org/metalink?repo=fedora-$releasever&arch=$basearch\n");
        Fixtures.write(root, "etc/yum.repos.d/fedora-updates.repo", "[updates]\n"
                + "#baseurl=http://download.example/pub/fedora/linux/updates/$releasever/Everything/$basearch/\n"
                + "metalink=https://mirrors.fedoraproject.org/metalink?repo=updates-released-f$releasever&arch=$basearch\n");
        Path boot = shared.resolve("boot");
        Fixtures.write(boot, "vmlinuz-6.14.0-63.fc42.x86_64", "kernel\n");
        Fixtures.write(boot, "loader/entries/fedora.conf", "title Fedora\n");
        mirrorRoot = shared.resolve("mirror");
        Path images = Files.createDirectories(mirrorRoot.resolve(DIR));
        qcow2 = Fixtures.qcow2(root, boot, images.resolve(IMAGE));
        Fixtures.touch(qcow2, 1_700_000_000L);
        // an older sub-release the listing also shows: 1.9 < 1.10
        Files.writeString(images.resolve("Fedora-Cloud-Base-Generic-42-1.9.x86_64.qcow2"), "old");
        writeChecksum(images, Fixtures.sha256(qcow2));
        mirror = new Mirror(mirrorRoot);
    }

    static void writeChecksum(Path images, String sum) throws Exception {
        Files.writeString(images.resolve(CHECKSUM), "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"
                + "# " + IMAGE + ": 1234 bytes\nSHA256 (" + IMAGE + ") = " + sum + "\n"
                + "-----BEGIN PGP SIGNATURE-----\nnot really\n-----END PGP SIGNATURE-----\n");
    }

    @AfterAll
    static void stop() {
        mirror.close();
    }

    TestBuild build(Path cache, boolean offline) throws Exception {
        return new TestBuild(Files.createDirectories(tmp.resolve("b" + System.nanoTime())), cache, offline)
                .set("DIB_RELEASE", "42").set("DIB_CLOUD_IMAGES", mirror.url(DIR));
    }

    @Test
    void theRootTreeComesFromTheNewestImageAndIsCached() throws Exception {
        Path cache = tmp.resolve("cache");
        FedoraDistribution fedora = new FedoraDistribution();
        try (TestBuild b = build(cache, false)) {
            TestBuild.Call call = b.call("fedora");
            fedora.createRoot(call);
            Path t = b.target;
            assertEquals("NAME=\"Fedora Linux\"\nVERSION_ID=42\n", Files.readString(t.resolve("etc/os-release")));
            assertEquals("kernel\n", Files.readString(t.resolve("boot/vmlinuz-6.14.0-63.fc42.x86_64")));
            assertEquals("title Fedora\n", Files.readString(t.resolve("boot/loader/entries/fedora.conf")));
            assertEquals("1000:1000 4755", bash("stat -c '%u:%g %a' \"$1\"", t.resolve("usr/bin/suid").toString()).strip());
            assertTrue(bash("getfattr -n security.capability -e hex \"$1\"", t.resolve("usr/bin/suid").toString())
                    .contains("0x0100000200200000000000000000000000000000"));
            assertEquals("character special file 1 3", bash("stat -c '%F %t %T' \"$1\"",
                    t.resolve("dev/null").toString()).strip());
            assertTrue(Files.isSymbolicLink(t.resolve("bin/sh")));
            assertTrue(call.output().contains("root partition 2 (ext4, label root), /boot partition 1 (ext4, label boot)"),
                    call.output());
        }
        assertEquals(List.of(CHECKSUM, "Fedora-Cloud-Base-Generic-42-1.10.x86_64.qcow2",
                "Fedora-Cloud-Base-Generic-42-1.10.x86_64.tgz", "fedora-42-x86_64.listing.html"), Fixtures.files(cache));
        assertEquals(1, mirror.served(DIR + IMAGE));

        // a second build reuses image and tarball: conditional requests only
        try (TestBuild b = build(cache, false)) {
            TestBuild.Call call = b.call("fedora");
            fedora.createRoot(call);
            assertTrue(call.output().contains("Using the cached " + cache.resolve("Fedora-Cloud-Base-Generic-42-1.10.x86_64.tgz")),
                    call.output());
            assertTrue(Files.exists(b.target.resolve("etc/os-release")));
        }
        assertEquals(1, mirror.served(DIR + IMAGE));

        // offline: nothing is asked from the mirror
        int before = mirror.requests.get();
        try (TestBuild b = build(cache, true)) {
            TestBuild.Call call = b.call("fedora");
            fedora.createRoot(call);
            assertTrue(call.output().contains("Offline mode: not checking freshness"), call.output());
            assertTrue(Files.exists(b.target.resolve("boot/vmlinuz-6.14.0-63.fc42.x86_64")));
        }
        assertEquals(before, mirror.requests.get());
    }

    @Test
    void aChecksumMismatchIsRefusedAndCachesNothing() throws Exception {
        Path bad = mirrorRoot.resolve("bad/images");
        Files.createDirectories(bad);
        Files.copy(qcow2, bad.resolve(IMAGE));
        writeChecksum(bad, "0".repeat(64));
        Path cache = tmp.resolve("cache");
        try (TestBuild b = build(cache, false).set("DIB_CLOUD_IMAGES", mirror.url("bad/images"))) {
            BuildException e = assertThrows(BuildException.class, () -> new FedoraDistribution().createRoot(b.call("fedora")));
            assertEquals("SHA-256 mismatch for " + mirror.url("bad/images/" + IMAGE) + ": expected " + "0".repeat(64)
                    + ", got " + Fixtures.sha256(qcow2), e.getMessage());
            assertEquals(2, mirror.served("bad/images/" + IMAGE), "one forced re-download");
            try (Stream<Path> s = Files.list(b.target)) {
                assertEquals(0, s.count(), "nothing extracted");
            }
        }
        assertEquals(List.of(CHECKSUM, "fedora-42-x86_64.listing.html"), Fixtures.files(cache));
    }

    @Test
    void aMissingImageIsExitStatus44AfterOneRetry() throws Exception {
        Path cache = tmp.resolve("cache");
        try (TestBuild b = build(cache, false).set("BASE_IMAGE_FILE", "Fedora-Cloud-Base-Generic-42-9.9.x86_64.qcow2")) {
            BuildException e = assertThrows(BuildException.class, () -> new FedoraDistribution().createRoot(b.call("fedora")));
            assertEquals(44, e.exitStatus());
            assertEquals("cannot download " + mirror.url(DIR + "Fedora-Cloud-Base-Generic-42-9.9.x86_64.qcow2")
                    + ": HTTP 404 Not Found", e.getMessage());
        }
        assertEquals(List.of("fedora-42-x86_64.listing.html"), Fixtures.files(cache));
    }

    @Test
    void aTruncatedDownloadKeepsTheGoodCachedImage() throws Exception {
        Path dir = mirrorRoot.resolve("trunc/images");
        Files.createDirectories(dir);
        Files.copy(qcow2, dir.resolve(IMAGE));
        Fixtures.touch(dir.resolve(IMAGE), 1_700_000_000L);
        writeChecksum(dir, Fixtures.sha256(qcow2));
        Path cache = tmp.resolve("cache");
        FedoraDistribution fedora = new FedoraDistribution();
        try (TestBuild b = build(cache, false).set("DIB_CLOUD_IMAGES", mirror.url("trunc/images"))) {
            fedora.createRoot(b.call("fedora"));
        }
        Path cached = cache.resolve(IMAGE);
        String good = Fixtures.sha256(cached);
        // the mirror gets a newer image but the connection drops half-way
        Fixtures.touch(dir.resolve(IMAGE), 1_800_000_000L);
        mirror.truncate.put("trunc/images/" + IMAGE, (int) (Files.size(qcow2) / 2));
        try (TestBuild b = build(cache, false).set("DIB_CLOUD_IMAGES", mirror.url("trunc/images"))) {
            BuildException e = assertThrows(BuildException.class, () -> fedora.createRoot(b.call("fedora")));
            assertTrue(e.getMessage().startsWith("download of " + mirror.url("trunc/images/" + IMAGE) + " is truncated: got "),
                    e.getMessage());
        } finally {
            mirror.truncate.clear();
        }
        assertEquals(good, Fixtures.sha256(cached));
        assertEquals(List.of(CHECKSUM, IMAGE, "Fedora-Cloud-Base-Generic-42-1.10.x86_64.tgz",
                "fedora-42-x86_64.listing.html"), Fixtures.files(cache));
    }

    @Test
    void offlineWithoutACacheSaysWhatIsMissing() throws Exception {
        Path cache = tmp.resolve("cache");
        try (TestBuild b = build(cache, true).set("DIB_CLOUD_IMAGES", "http://127.0.0.1:9/nowhere")) {
            BuildException e = assertThrows(BuildException.class, () -> new FedoraDistribution().createRoot(b.call("fedora")));
            assertTrue(e.getMessage().startsWith("offline mode and " + cache.resolve("fedora-42-x86_64.listing.html")
                    + " is not cached; fetching http://127.0.0.1:9/nowhere/ failed: "), e.getMessage());
        }
        assertEquals(List.of(), Fixtures.files(cache));
    }

    @Test
    void aLocalImageIsRepackedAndItsSumChecked() throws Exception {
        Path cache = tmp.resolve("cache");
        Path local = Files.copy(qcow2, tmp.resolve("my-fedora.qcow2"));
        try (TestBuild b = build(cache, false).set("DIB_LOCAL_IMAGE", local.toString())
                .set("DIB_LOCAL_IMAGE_SHA256", "f".repeat(64))) {
            BuildException e = assertThrows(BuildException.class, () -> new FedoraDistribution().createRoot(b.call("fedora")));
            assertEquals("SHA-256 mismatch for DIB_LOCAL_IMAGE " + local + ": expected " + "f".repeat(64) + ", got "
                    + Fixtures.sha256(qcow2), e.getMessage());
        }
        try (TestBuild b = build(cache, false).set("DIB_LOCAL_IMAGE", local.toString())
                .set("DIB_LOCAL_IMAGE_SHA256", Fixtures.sha256(qcow2).toUpperCase())) {
            new FedoraDistribution().createRoot(b.call("fedora"));
            assertTrue(Files.exists(b.target.resolve("etc/yum.repos.d/fedora.repo")));
        }
        assertEquals(List.of("my-fedora.qcow2.tgz"), Fixtures.files(cache));
        // a newer local image is repacked again
        Path tgz = cache.resolve("my-fedora.qcow2.tgz");
        Fixtures.touch(tgz, 1_600_000_000L);
        try (TestBuild b = build(cache, false).set("DIB_LOCAL_IMAGE", local.toString())) {
            TestBuild.Call call = b.call("fedora");
            new FedoraDistribution().createRoot(call);
            assertTrue(call.output().contains("Repacking " + local), call.output());
        }
    }

    @Test
    void badReleaseAndArchitectureAreNamed() throws Exception {
        try (TestBuild b = build(tmp.resolve("cache"), false).set("DIB_RELEASE", "forty")) {
            BuildException e = assertThrows(BuildException.class, () -> new FedoraDistribution().createRoot(b.call("fedora")));
            assertEquals("DIB_RELEASE 'forty' is not a Fedora release (a number such as 42)", e.getMessage());
        }
        try (TestBuild b = build(tmp.resolve("cache"), false).set("ARCH", "mips")) {
            BuildException e = assertThrows(BuildException.class, () -> new FedoraDistribution().createRoot(b.call("fedora")));
            assertTrue(e.getMessage().endsWith("not for ARCH 'mips'"), e.getMessage());
        }
    }

    @Test
    void theMirrorHookRewritesTheRepositories() throws Exception {
        try (TestBuild b = build(tmp.resolve("cache"), false)) {
            new FedoraDistribution().createRoot(b.call("fedora"));
            Path hook = Path.of("src/main/elements/fedora/pre-install.d/00-02-set-fedora-mirror").toAbsolutePath();
            Files.copy(hook, b.target.resolve("tmp/hook"));
            b.sandbox().check(Exec.of("chroot", b.target.toString(), "/bin/sh", "/tmp/hook")
                    .env("DIB_DISTRIBUTION_MIRROR", "http://mirror.example/fedora&co/"));
            String repo = Files.readString(b.target.resolve("etc/yum.repos.d/fedora.repo"));
            assertTrue(repo.contains("\nbaseurl=http://mirror.example/fedora&co/releases/$releasever/Everything/$basearch/os/\n"),
                    repo);
            assertFalse(repo.contains("metalink"), repo);
            String updates = Files.readString(b.target.resolve("etc/yum.repos.d/fedora-updates.repo"));
            assertTrue(updates.contains("\nbaseurl=http://mirror.example/fedora&co/updates/$releasever/Everything/$basearch/\n"),
                    updates);
            assertFalse(Files.exists(b.target.resolve("tmp/yum"), LinkOption.NOFOLLOW_LINKS));
        }
    }
}

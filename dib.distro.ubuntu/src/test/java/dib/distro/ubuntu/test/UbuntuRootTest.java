// SPDX-License-Identifier: Apache-2.0
package dib.distro.ubuntu.test;

import static dib.distro.testing.Fixtures.bash;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.build.BuildException;
import dib.core.sandbox.Exec;
import dib.distro.testing.Fixtures;
import dib.distro.testing.Mirror;
import dib.distro.testing.TestBuild;
import dib.distro.ubuntu.internal.UbuntuDistribution;

/**
 * The ubuntu distribution service against a cloud-images mirror on loopback serving a root
 * squashfs (noble) and a root tarball (trusty) made by the test, with SHA256SUMS.
 */
@Tag("root")
class UbuntuRootTest {
    static final String NOBLE = "noble-server-cloudimg-amd64.squashfs";
    static final String TRUSTY = "trusty-server-cloudimg-amd64-root.tar.gz";
    static final String CLASSIC = "deb http://archive.ubuntu.com/ubuntu noble main restricted\n"
            + "deb http://archive.ubuntu.com/ubuntu noble universe\n"
            + "deb http://security.ubuntu.com/ubuntu noble-security main\n";
    static final String DEB822 = "Types: deb\nURIs: http://archive.ubuntu.com/ubuntu/\nSuites: noble noble-updates\n"
            + "Components: main restricted\n\n"
            + "Types: deb\nURIs: http://security.ubuntu.com/ubuntu/\nSuites: noble-security\nComponents: universe\n";

    @TempDir
    static Path shared;
    static Path mirrorRoot;
    static Path squashfs;
    static Path tarball;
    static Mirror mirror;

    @TempDir
    Path tmp;

    @BeforeAll
    static void fixtures() throws Exception {
        System.setProperty("dib.download.retryDelayMillis", "10");
        Path tree = Fixtures.busyboxTree(shared.resolve("root"));
        Fixtures.write(tree, "etc/os-release", "NAME=\"Ubuntu\"\nVERSION_CODENAME=noble\n");
        Fixtures.write(tree, "etc/apt/sources.list", CLASSIC);
        Fixtures.write(tree, "etc/apt/sources.list.d/ubuntu.sources", DEB822);
        mirrorRoot = shared.resolve("mirror");
        squashfs = Fixtures.squashfs(tree, Files.createDirectories(mirrorRoot.resolve("noble/current")).resolve(NOBLE));
        tarball = Fixtures.tarGz(tree, Files.createDirectories(mirrorRoot.resolve("trusty/current")).resolve(TRUSTY));
        sums(mirrorRoot.resolve("noble/current"), Fixtures.sha256(squashfs), NOBLE);
        sums(mirrorRoot.resolve("trusty/current"), Fixtures.sha256(tarball), TRUSTY);
        mirror = new Mirror(mirrorRoot);
    }

    static void sums(Path dir, String sum, String name) throws Exception {
        Files.writeString(dir.resolve("SHA256SUMS"), "0".repeat(64) + " *noble-server-cloudimg-amd64.img\n"
                + sum + " *" + name + "\n" + "1".repeat(64) + " *noble-server-cloudimg-amd64.manifest\n");
    }

    @AfterAll
    static void stop() {
        mirror.close();
    }

    TestBuild build(Path cache, boolean offline, String release) throws Exception {
        return new TestBuild(Files.createDirectories(tmp.resolve("b" + System.nanoTime())), cache, offline)
                .set("DIB_RELEASE", release).set("DIB_CLOUD_IMAGES", mirror.url(release + "/current"));
    }

    static void assertUbuntuTree(Path t) throws Exception {
        assertEquals("NAME=\"Ubuntu\"\nVERSION_CODENAME=noble\n", Files.readString(t.resolve("etc/os-release")));
        assertEquals("1000:1000 4755", bash("stat -c '%u:%g %a' \"$1\"", t.resolve("usr/bin/suid").toString()).strip());
        assertTrue(bash("getfattr -n security.capability -e hex \"$1\"", t.resolve("usr/bin/suid").toString())
                .contains("0x0100000200200000000000000000000000000000"));
        assertEquals("character special file 1 3", bash("stat -c '%F %t %T' \"$1\"", t.resolve("dev/null").toString())
                .strip());
        assertEquals("busybox", Files.readSymbolicLink(t.resolve("bin/sh")).toString());
    }

    @Test
    void aSquashfsReleaseIsDownloadedVerifiedAndReused() throws Exception {
        Path cache = tmp.resolve("cache");
        UbuntuDistribution ubuntu = new UbuntuDistribution();
        try (TestBuild b = build(cache, false, "noble")) {
            TestBuild.Call call = b.call("ubuntu");
            ubuntu.createRoot(call);
            assertUbuntuTree(b.target);
            assertTrue(b.log.contains("Downloaded and cached " + mirror.url("noble/current/" + NOBLE)
                    + " for the first time"), b.log.toString());
        }
        assertEquals(List.of("SHA256SUMS.ubuntu.noble.amd64", NOBLE), Fixtures.files(cache));
        try (TestBuild b = build(cache, false, "noble")) {
            TestBuild.Call call = b.call("ubuntu");
            ubuntu.createRoot(call);
            assertUbuntuTree(b.target);
            assertTrue(b.log.contains("Server copy has not changed. Using locally cached "
                    + mirror.url("noble/current/" + NOBLE)), b.log.toString());
        }
        assertEquals(1, mirror.served("noble/current/" + NOBLE));
        int before = mirror.requests.get();
        try (TestBuild b = build(cache, true, "noble")) {
            ubuntu.createRoot(b.call("ubuntu"));
            assertUbuntuTree(b.target);
        }
        assertEquals(before, mirror.requests.get(), "offline with a cache asks nothing");
    }

    @Test
    void trustyComesAsARootTarball() throws Exception {
        Path cache = tmp.resolve("cache");
        try (TestBuild b = build(cache, false, "trusty")) {
            new UbuntuDistribution().createRoot(b.call("ubuntu"));
            assertUbuntuTree(b.target);
        }
        assertEquals(List.of("SHA256SUMS.ubuntu.trusty.amd64", TRUSTY), Fixtures.files(cache));
    }

    @Test
    void aChecksumMismatchFailsAfterOneForcedRetryAndCachesNoImage() throws Exception {
        Path dir = Files.createDirectories(mirrorRoot.resolve("badsum/current"));
        Files.copy(squashfs, dir.resolve(NOBLE));
        sums(dir, "e".repeat(64), NOBLE);
        Path cache = tmp.resolve("cache");
        try (TestBuild b = build(cache, false, "noble").set("DIB_CLOUD_IMAGES", mirror.url("badsum/current"))) {
            BuildException e = assertThrows(BuildException.class, () -> new UbuntuDistribution().createRoot(b.call("ubuntu")));
            assertEquals("SHA-256 mismatch for " + mirror.url("badsum/current/" + NOBLE) + ": expected " + "e".repeat(64)
                    + ", got " + Fixtures.sha256(squashfs), e.getMessage());
            try (Stream<Path> s = Files.list(b.target)) {
                assertEquals(0, s.count());
            }
        }
        assertEquals(2, mirror.served("badsum/current/" + NOBLE));
        assertEquals(List.of("SHA256SUMS.ubuntu.noble.amd64"), Fixtures.files(cache));
    }

    @Test
    void aStaleCachedChecksumListIsRefreshedWithoutCaches() throws Exception {
        // LP#1336067: a proxy (here: our own cache, newer than the server's copy) serves an
        // old SHA256SUMS; the forced re-fetch gets the current one and the build succeeds
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        Path stale = cache.resolve("SHA256SUMS.ubuntu.noble.amd64");
        Files.writeString(stale, "d".repeat(64) + " *" + NOBLE + "\n");
        Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() + 86_400_000L));
        try (TestBuild b = build(cache, false, "noble")) {
            TestBuild.Call call = b.call("ubuntu");
            new UbuntuDistribution().createRoot(call);
            assertUbuntuTree(b.target);
            assertTrue(call.output().contains("fetching " + mirror.url("noble/current/SHA256SUMS")
                    + " and the image again without caches"), call.output());
        }
        assertTrue(Files.readString(stale).contains(Fixtures.sha256(squashfs)));
    }

    @Test
    void aMissingImageIsExitStatus44() throws Exception {
        Path dir = Files.createDirectories(mirrorRoot.resolve("gone/current"));
        sums(dir, Fixtures.sha256(squashfs), NOBLE);
        Path cache = tmp.resolve("cache");
        try (TestBuild b = build(cache, false, "noble").set("DIB_CLOUD_IMAGES", mirror.url("gone/current"))) {
            BuildException e = assertThrows(BuildException.class, () -> new UbuntuDistribution().createRoot(b.call("ubuntu")));
            assertEquals(44, e.exitStatus());
            assertEquals("cannot download " + mirror.url("gone/current/" + NOBLE) + ": HTTP 404 Not Found", e.getMessage());
        }
        assertEquals(List.of("SHA256SUMS.ubuntu.noble.amd64"), Fixtures.files(cache));
    }

    @Test
    void anUnknownReleaseNamesTheChecksumUrl() throws Exception {
        try (TestBuild b = build(tmp.resolve("cache"), false, "plucky")) {
            BuildException e = assertThrows(BuildException.class, () -> new UbuntuDistribution().createRoot(b.call("ubuntu")));
            assertEquals("cannot download " + mirror.url("plucky/current/SHA256SUMS") + ": HTTP 404 Not Found",
                    e.getMessage());
        }
    }

    @Test
    void aTruncatedDownloadKeepsTheGoodCachedImage() throws Exception {
        Path dir = Files.createDirectories(mirrorRoot.resolve("trunc/current"));
        Files.copy(squashfs, dir.resolve(NOBLE));
        Fixtures.touch(dir.resolve(NOBLE), 1_700_000_000L);
        sums(dir, Fixtures.sha256(squashfs), NOBLE);
        Path cache = tmp.resolve("cache");
        UbuntuDistribution ubuntu = new UbuntuDistribution();
        try (TestBuild b = build(cache, false, "noble").set("DIB_CLOUD_IMAGES", mirror.url("trunc/current"))) {
            ubuntu.createRoot(b.call("ubuntu"));
        }
        Fixtures.touch(dir.resolve(NOBLE), 1_800_000_000L);
        mirror.truncate.put("trunc/current/" + NOBLE, 1000);
        try (TestBuild b = build(cache, false, "noble").set("DIB_CLOUD_IMAGES", mirror.url("trunc/current"))) {
            BuildException e = assertThrows(BuildException.class, () -> ubuntu.createRoot(b.call("ubuntu")));
            assertTrue(e.getMessage().startsWith("download of " + mirror.url("trunc/current/" + NOBLE)
                    + " is truncated: got "), e.getMessage());
        } finally {
            mirror.truncate.clear();
        }
        assertEquals(Fixtures.sha256(squashfs), Fixtures.sha256(cache.resolve(NOBLE)));
        assertEquals(List.of("SHA256SUMS.ubuntu.noble.amd64", NOBLE), Fixtures.files(cache));
    }

    @Test
    void offlineWithoutACacheSaysWhatIsMissing() throws Exception {
        Path cache = tmp.resolve("cache");
        try (TestBuild b = build(cache, true, "noble").set("DIB_CLOUD_IMAGES", "http://127.0.0.1:9/noble")) {
            BuildException e = assertThrows(BuildException.class, () -> new UbuntuDistribution().createRoot(b.call("ubuntu")));
            assertTrue(e.getMessage().startsWith("offline mode and " + cache.resolve("SHA256SUMS.ubuntu.noble.amd64")
                    + " is not cached; fetching http://127.0.0.1:9/noble/SHA256SUMS failed: "), e.getMessage());
        }
        assertEquals(List.of(), Fixtures.files(cache));
    }

    @Test
    void aLocalImageIsUsedAsIs() throws Exception {
        Path cache = tmp.resolve("cache");
        for (Path local : List.of(squashfs, tarball)) {
            try (TestBuild b = build(cache, false, "noble").set("DIB_LOCAL_IMAGE", local.toString())) {
                new UbuntuDistribution().createRoot(b.call("ubuntu"));
                assertUbuntuTree(b.target);
            }
        }
        assertFalse(Files.exists(cache.resolve(NOBLE)));
        try (TestBuild b = build(cache, false, "noble").set("DIB_LOCAL_IMAGE", tmp.resolve("nope.squashfs").toString())) {
            BuildException e = assertThrows(BuildException.class, () -> new UbuntuDistribution().createRoot(b.call("ubuntu")));
            assertEquals("DIB_LOCAL_IMAGE " + tmp.resolve("nope.squashfs") + " is not a readable file", e.getMessage());
        }
    }

    @Test
    void aBadReleaseIsNamed() throws Exception {
        try (TestBuild b = build(tmp.resolve("cache"), false, "24.04")) {
            BuildException e = assertThrows(BuildException.class, () -> new UbuntuDistribution().createRoot(b.call("ubuntu")));
            assertEquals("DIB_RELEASE '24.04' is not an Ubuntu release code name (such as noble)", e.getMessage());
        }
    }

    @Test
    void theMirrorHookRewritesClassicAndDeb822Sources() throws Exception {
        try (TestBuild b = build(tmp.resolve("cache"), false, "noble").set("DIB_LOCAL_IMAGE", squashfs.toString())) {
            new UbuntuDistribution().createRoot(b.call("ubuntu"));
            Path hook = Path.of("src/main/elements/ubuntu/pre-install.d/01-set-ubuntu-mirror").toAbsolutePath();
            Files.copy(hook, b.target.resolve("tmp/hook"));
            b.sandbox().check(Exec.of("chroot", b.target.toString(), "/bin/sh", "/tmp/hook")
                    .env("DIB_DISTRIBUTION_MIRROR", "http://mirror.example/ubuntu&more/")
                    .env("DIB_DISTRIBUTION_MIRROR_UBUNTU_IGNORE", "universe")
                    .env("DIB_DISTRIBUTION_MIRROR_UBUNTU_INSECURE", "1"));
            assertEquals("deb http://mirror.example/ubuntu&more noble main restricted\n"
                    + "deb http://archive.ubuntu.com/ubuntu noble universe\n"
                    + "deb http://mirror.example/ubuntu&more noble-security main\n",
                    Files.readString(b.target.resolve("etc/apt/sources.list")));
            assertEquals(DEB822.replace("URIs: http://archive.ubuntu.com/ubuntu/", "URIs: http://mirror.example/ubuntu&more/"),
                    Files.readString(b.target.resolve("etc/apt/sources.list.d/ubuntu.sources")));
            assertTrue(Files.readString(b.target.resolve("etc/apt/apt.conf.d/95allow-unauthenticated"))
                    .contains("APT::Get::AllowUnauthenticated \"true\";"));
            assertFalse(Files.exists(b.target.resolve("etc/apt/sources.list.dib-new")));
        }
    }
}

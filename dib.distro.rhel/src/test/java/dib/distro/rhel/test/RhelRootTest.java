// SPDX-License-Identifier: Apache-2.0
package dib.distro.rhel.test;

import static dib.distro.testing.Fixtures.bash;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.build.BuildException;
import dib.distro.rhel.internal.RhelDistribution;
import dib.distro.testing.Fixtures;
import dib.distro.testing.Mirror;
import dib.distro.testing.TestBuild;

/**
 * The rhel distribution service with a guest image made by the test: from DIB_LOCAL_IMAGE and
 * from an internal server on loopback, and the registration settings written into the image.
 */
@Tag("root")
class RhelRootTest {
    static final String IMAGE = "rhel-9.4-x86_64-kvm.qcow2";
    static final String RHSM = "[server]\nhostname = subscription.rhsm.redhat.com\nport = 443\n\n"
            + "[rhsm]\nbaseurl = https://cdn.redhat.com\nmanage_repos = 1\n";

    @TempDir
    static Path shared;
    static Path qcow2;
    static String sum;
    static Mirror mirror;

    @TempDir
    Path tmp;

    @BeforeAll
    static void fixtures() throws Exception {
        System.setProperty("dib.download.retryDelayMillis", "10");
        Path root = Fixtures.busyboxTree(shared.resolve("root"));
        Fixtures.write(root, "etc/redhat-release", "Red Hat Enterprise Linux release 9.4 (Plow)\n");
        Fixtures.write(root, "etc/rhsm/rhsm.conf", RHSM);
        Path boot = shared.resolve("boot");
        Fixtures.write(boot, "vmlinuz-5.14.0-427.el9.x86_64", "kernel\n");
        Path server = Files.createDirectories(shared.resolve("server/images"));
        qcow2 = Fixtures.qcow2(root, boot, server.resolve(IMAGE));
        sum = Fixtures.sha256(qcow2);
        mirror = new Mirror(shared.resolve("server"));
    }

    @AfterAll
    static void stop() {
        mirror.close();
    }

    TestBuild build(Path cache) throws Exception {
        return new TestBuild(Files.createDirectories(tmp.resolve("b" + System.nanoTime())), cache, false)
                .set("DIB_RELEASE", "9");
    }

    @Test
    void aLocalGuestImageBecomesTheRootAndNothingIsRegistered() throws Exception {
        Path cache = tmp.resolve("cache");
        try (TestBuild b = build(cache).set("DIB_LOCAL_IMAGE", qcow2.toString()).set("DIB_LOCAL_IMAGE_SHA256", sum)) {
            TestBuild.Call call = b.call("rhel");
            new RhelDistribution().createRoot(call);
            assertEquals("Red Hat Enterprise Linux release 9.4 (Plow)\n",
                    Files.readString(b.target.resolve("etc/redhat-release")));
            assertEquals("kernel\n", Files.readString(b.target.resolve("boot/vmlinuz-5.14.0-427.el9.x86_64")));
            assertEquals("1000:1000 4755", bash("stat -c '%u:%g %a' \"$1\"", b.target.resolve("usr/bin/suid").toString())
                    .strip());
            assertFalse(Files.exists(b.target.resolve("etc/cloud")));
            assertEquals(RHSM, Files.readString(b.target.resolve("etc/rhsm/rhsm.conf")));
        }
        assertEquals(List.of(IMAGE + ".tgz"), Fixtures.files(cache));
    }

    @Test
    void aPortalActivationKeyIsWrittenForTheFirstBoot() throws Exception {
        try (TestBuild b = build(tmp.resolve("cache")).set("DIB_LOCAL_IMAGE", qcow2.toString())
                .set("REG_METHOD", "portal").set("REG_ACTIVATION_KEY", "my-key's").set("REG_ORG", "5643002")
                .set("REG_REPOS", "rhel-9-for-x86_64-baseos-rpms,rhel-9-for-x86_64-appstream-rpms")
                .set("REG_AUTO_ATTACH", "true").set("REG_ENVIRONMENT", "Library")) {
            TestBuild.Call call = b.call("rhel");
            new RhelDistribution().createRoot(call);
            Path cfg = b.target.resolve("etc/cloud/cloud.cfg.d/50-dib-rh-subscription.cfg");
            assertEquals("# Written by dib (rhel element): register with Red Hat Subscription Management at first boot.\n"
                    + "rh_subscription:\n"
                    + "  activation-key: 'my-key''s'\n"
                    + "  org: '5643002'\n"
                    + "  auto-attach: true\n"
                    + "  enable-repo: ['rhel-9-for-x86_64-baseos-rpms', 'rhel-9-for-x86_64-appstream-rpms']\n",
                    Files.readString(cfg));
            assertEquals("0:0 600", bash("stat -c '%u:%g %a' \"$1\"", cfg.toString()).strip());
            assertEquals(RHSM, Files.readString(b.target.resolve("etc/rhsm/rhsm.conf")));
            assertTrue(call.output().contains("WARNING: ignoring REG_ENVIRONMENT"), call.output());
        }
    }

    @Test
    void aSatelliteGoesIntoRhsmConf() throws Exception {
        try (TestBuild b = build(tmp.resolve("cache")).set("DIB_LOCAL_IMAGE", qcow2.toString())
                .set("REG_METHOD", "satellite").set("REG_SAT_URL", "https://sat.example.com")
                .set("REG_USER", "admin").set("REG_PASSWORD", "s3cret").set("REG_POOL_ID", "8a85f98")) {
            new RhelDistribution().createRoot(b.call("rhel"));
            assertEquals("[server]\nhostname = sat.example.com\nport = 443\n\n"
                    + "[rhsm]\nbaseurl = https://sat.example.com/pulp/content\nmanage_repos = 1\n",
                    Files.readString(b.target.resolve("etc/rhsm/rhsm.conf")));
            String cfg = Files.readString(b.target.resolve("etc/cloud/cloud.cfg.d/50-dib-rh-subscription.cfg"));
            assertTrue(cfg.contains("  username: 'admin'\n  password: 's3cret'\n"), cfg);
            assertTrue(cfg.contains("  add-pool: ['8a85f98']\n  server-hostname: 'sat.example.com'\n"
                    + "  rhsm-baseurl: 'https://sat.example.com/pulp/content'\n"), cfg);
        }
    }

    @Test
    void theOlderRhsmVariablesStillWork() throws Exception {
        try (TestBuild b = build(tmp.resolve("cache")).set("DIB_LOCAL_IMAGE", qcow2.toString())
                .set("DIB_RHSM_USER", "u").set("DIB_RHSM_PASSWORD", "p").set("DIB_RHSM_REPOS", "a b")) {
            new RhelDistribution().createRoot(b.call("rhel"));
            String cfg = Files.readString(b.target.resolve("etc/cloud/cloud.cfg.d/50-dib-rh-subscription.cfg"));
            assertTrue(cfg.contains("  username: 'u'\n  password: 'p'\n  auto-attach: true\n  enable-repo: ['a', 'b']\n"),
                    cfg);
        }
    }

    @Test
    void wrongRegistrationSettingsFailBeforeAnyWork() throws Exception {
        Object[][] cases = {
            {"REG_METHOD", "rhn", null, null, "REG_METHOD 'rhn' is not one of portal, satellite, disable"},
            {"DIB_REG_TYPE", "rhn", null, null,
                "DIB_REG_TYPE=rhn: RHN Classic no longer exists; use REG_METHOD=portal or REG_METHOD=satellite"},
            {"REG_METHOD", "portal", "REG_ACTIVATION_KEY", "k",
                "REG_METHOD=portal needs REG_ACTIVATION_KEY and REG_ORG, or REG_USER and REG_PASSWORD"},
            {"REG_METHOD", "satellite", "REG_USER", "u", "REG_METHOD=satellite needs REG_SAT_URL (the Satellite server's URL)"},
            {"DIB_RHSM_USER", "u", null, null, "DIB_RHSM_USER and DIB_RHSM_PASSWORD go together: set both or neither"},
        };
        Path cache = tmp.resolve("cache");
        for (Object[] c : cases) {
            try (TestBuild b = build(cache).set("DIB_LOCAL_IMAGE", qcow2.toString()).set((String) c[0], (String) c[1])) {
                if (c[2] != null) {
                    b.set((String) c[2], (String) c[3]);
                }
                BuildException e = assertThrows(BuildException.class, () -> new RhelDistribution().createRoot(b.call("rhel")));
                assertEquals(c[4], e.getMessage());
                try (var s = Files.list(b.target)) {
                    assertEquals(0, s.count());
                }
            }
        }
        assertFalse(Files.exists(cache.resolve(IMAGE + ".tgz")), "nothing was repacked");
    }

    @Test
    void withoutAnImageTheMessageSaysWhereToGetOne() throws Exception {
        try (TestBuild b = build(tmp.resolve("cache"))) {
            BuildException e = assertThrows(BuildException.class, () -> new RhelDistribution().createRoot(b.call("rhel")));
            assertEquals("no RHEL 9 x86_64 image: set DIB_LOCAL_IMAGE to the KVM guest image downloaded from the"
                    + " Red Hat Customer Portal (or DIB_CLOUD_IMAGES and BASE_IMAGE_FILE)", e.getMessage());
        }
    }

    @Test
    void anInternalServerImageIsCheckedAgainstTheGivenSum() throws Exception {
        Path cache = tmp.resolve("cache");
        try (TestBuild b = build(cache).set("DIB_CLOUD_IMAGES", mirror.url("images")).set("BASE_IMAGE_FILE", IMAGE)
                .set("DIB_CLOUD_IMAGE_SHA256", "a".repeat(64))) {
            BuildException e = assertThrows(BuildException.class, () -> new RhelDistribution().createRoot(b.call("rhel")));
            assertEquals("SHA-256 mismatch for " + mirror.url("images/" + IMAGE) + ": expected " + "a".repeat(64)
                    + ", got " + sum, e.getMessage());
        }
        assertEquals(List.of(), Fixtures.files(cache));
        try (TestBuild b = build(cache).set("DIB_CLOUD_IMAGES", mirror.url("images")).set("BASE_IMAGE_FILE", IMAGE)
                .set("DIB_CLOUD_IMAGE_SHA256", sum)) {
            new RhelDistribution().createRoot(b.call("rhel"));
            assertTrue(Files.exists(b.target.resolve("etc/redhat-release")));
        }
        assertEquals(List.of(IMAGE, "rhel-9.4-x86_64-kvm.tgz"), Fixtures.files(cache));
    }

    @Test
    void aTruncatedDownloadKeepsTheGoodCachedImage() throws Exception {
        Path cache = tmp.resolve("cache");
        try (TestBuild b = build(cache).set("DIB_CLOUD_IMAGES", mirror.url("images")).set("BASE_IMAGE_FILE", IMAGE)) {
            new RhelDistribution().createRoot(b.call("rhel"));
        }
        Path served = shared.resolve("server/images/" + IMAGE);
        Fixtures.touch(served, System.currentTimeMillis() / 1000 + 3600);
        mirror.truncate.put("images/" + IMAGE, 4096);
        try (TestBuild b = build(cache).set("DIB_CLOUD_IMAGES", mirror.url("images")).set("BASE_IMAGE_FILE", IMAGE)) {
            BuildException e = assertThrows(BuildException.class, () -> new RhelDistribution().createRoot(b.call("rhel")));
            assertTrue(e.getMessage().startsWith("download of " + mirror.url("images/" + IMAGE) + " is truncated: got "),
                    e.getMessage());
        } finally {
            mirror.truncate.clear();
            Fixtures.touch(served, 1_700_000_000L);
        }
        assertEquals(sum, Fixtures.sha256(cache.resolve(IMAGE)));
        assertEquals(List.of(IMAGE, "rhel-9.4-x86_64-kvm.tgz"), Fixtures.files(cache));
    }

    @Test
    void offlineWithoutACacheSaysWhatIsMissing() throws Exception {
        Path cache = tmp.resolve("cache");
        try (TestBuild b = new TestBuild(Files.createDirectories(tmp.resolve("b")), cache, true)
                .set("DIB_CLOUD_IMAGES", "http://127.0.0.1:9/images").set("BASE_IMAGE_FILE", IMAGE)) {
            BuildException e = assertThrows(BuildException.class, () -> new RhelDistribution().createRoot(b.call("rhel")));
            assertTrue(e.getMessage().startsWith("offline mode and " + cache.resolve(IMAGE)
                    + " is not cached; fetching http://127.0.0.1:9/images/" + IMAGE + " failed: "), e.getMessage());
        }
        assertEquals(List.of(), Fixtures.files(cache));
    }

    @Test
    void aMissingServerImageIsExitStatus44() throws Exception {
        try (TestBuild b = build(tmp.resolve("cache")).set("DIB_CLOUD_IMAGES", mirror.url("images"))
                .set("BASE_IMAGE_FILE", "rhel-9.9-x86_64-kvm.qcow2")) {
            TestBuild.Call call = b.call("rhel");
            BuildException e = assertThrows(BuildException.class, () -> new RhelDistribution().createRoot(call));
            assertEquals(44, e.exitStatus());
            assertEquals("cannot download " + mirror.url("images/rhel-9.9-x86_64-kvm.qcow2") + ": HTTP 404 Not Found",
                    e.getMessage());
            assertTrue(call.output().contains("WARNING: no checksum is published"), call.output());
        }
    }
}

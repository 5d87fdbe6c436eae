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
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.distro.testing.Fixtures;
import dib.distro.testing.Mirror;

/**
 * {@code disk-image-create -t tar ubuntu|fedora|rhel} through the real runtime, against cloud
 * image mirrors on loopback serving images made here (a busybox tree with the distribution's
 * configuration files and a {@code dnf} stub that records its calls): the distribution
 * services build the root, the elements' hooks run in the chroot, and a bad checksum stops
 * the build with one clear line.
 */
@Tag("root")
class DistroBuildTest {
    @TempDir
    static Path work;
    static Mirror mirror;
    static Path cache;
    static Path tmp;

    @BeforeAll
    static void mirror() throws Exception {
        Path root = Fixtures.busyboxTree(work.resolve("root"));
        Fixtures.write(root, "etc/apt/sources.list", "deb http://archive.ubuntu.com/ubuntu noble main\n");
        Fixtures.write(root, "etc/yum.repos.d/fedora.repo", "[fedora]\n"
                + "#baseurl=http://download.example/pub/fedora/linux/releases/$releasever/Everything/$basearch/os/\n"
                + "metalink=https://mirrors.fedoraproject.org/metalink?repo=fedora-$releasever&arch=$basearch\n");
        Fixtures.write(root, "usr/bin/dnf", "#!/bin/sh\necho \"dnf $*\" >> /root/dnf-calls\n"
                + "case \"$*\" in *dib-test-no-such-package*)"
                + " echo 'No match for argument: dib-test-no-such-package' >&2; exit 1 ;; esac\n").toFile().setExecutable(true);
        // the dpkg element's tools: apt-get records its calls, no package is installed
        Fixtures.withBash(root);
        Fixtures.write(root, "usr/bin/apt-get", "#!/bin/sh\necho \"apt-get $*\" >> /root/apt-calls\n")
                .toFile().setExecutable(true);
        Fixtures.write(root, "usr/bin/dpkg-divert", "#!/bin/sh\necho \"dpkg-divert $*\" >> /root/apt-calls\n"
                + "[ \"$1\" != --truename ] || echo \"$2\"\n").toFile().setExecutable(true);
        Fixtures.write(root, "usr/bin/dpkg-query", "#!/bin/sh\ncase \"$*\" in *--showformat*) exit 0 ;; esac\nexit 1\n")
                .toFile().setExecutable(true);
        Path boot = Fixtures.write(work.resolve("boot"), "vmlinuz-6.14.0", "kernel\n").getParent();
        Path m = work.resolve("mirror");
        Path noble = Files.createDirectories(m.resolve("ubuntu/noble/current"));
        Path sq = Fixtures.squashfs(root, noble.resolve("noble-server-cloudimg-amd64.squashfs"));
        Files.writeString(noble.resolve("SHA256SUMS"), Fixtures.sha256(sq) + " *noble-server-cloudimg-amd64.squashfs\n");
        Path images = Files.createDirectories(m.resolve("fedora/releases/42/Cloud/x86_64/images"));
        Path q = Fixtures.qcow2(root, boot, images.resolve("Fedora-Cloud-Base-Generic-42-1.1.x86_64.qcow2"));
        Files.writeString(images.resolve("Fedora-Cloud-42-1.1-x86_64-CHECKSUM"),
                "SHA256 (Fedora-Cloud-Base-Generic-42-1.1.x86_64.qcow2) = " + Fixtures.sha256(q) + "\n");
        Path bad = Files.createDirectories(m.resolve("bad/noble/current"));
        Files.copy(sq, bad.resolve("noble-server-cloudimg-amd64.squashfs"));
        Files.writeString(bad.resolve("SHA256SUMS"), "0".repeat(64) + " *noble-server-cloudimg-amd64.squashfs\n");
        mirror = new Mirror(m);
        cache = work.resolve("cache");
        tmp = Files.createDirectories(work.resolve("tmp"));
    }

    @AfterAll
    static void stop() throws IOException {
        mirror.close();
        assertEquals(List.of(), Leftovers.under(tmp));
    }

    static Dib dib() throws IOException {
        return new Dib(Files.createDirectories(work.resolve("out"))).env("TMP_DIR", tmp.toString())
                .env("DIB_IMAGE_CACHE", cache.toString());
    }

    static String member(Path tar, String name) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tar", "-xOf", tar.toString(), "./" + name).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? s : null;
    }

    @Test
    void ubuntu() throws Exception {
        Dib.Result r = dib().env("DIB_RELEASE", "noble").env("DIB_CLOUD_IMAGES", mirror.url("ubuntu/noble/current"))
                .env("DIB_DISTRIBUTION_MIRROR", "http://apt.example/ubuntu")
                .run("disk-image-create", "-t", "tar", "-o", "ubuntu", "ubuntu");
        assertEquals(0, r.exit(), r.all());
        Path tar = work.resolve("out/ubuntu.tar");
        assertEquals("deb http://apt.example/ubuntu noble main\n", member(tar, "etc/apt/sources.list"));
        assertTrue(member(tar, "etc/sysctl.d/99-cloudimg-ipv6.conf").contains("use_tempaddr=0"));
        assertTrue(member(tar, "etc/dib_environment").contains("DIB_RELEASE=\"noble\""), member(tar, "etc/dib_environment"));
        String apt = member(tar, "root/apt-calls");
        // through dpkg's install-packages: base's tools and iSCSI initiator (pkg-map), the
        // ubuntu element's package-installs.yaml, then apt's cleanup
        for (String call : List.of(" install software-properties-common apt-transport-https\n", " install open-iscsi\n",
                " install linux-image-generic\n", "apt-get -y update\n", "apt-get -y autoremove\n", "apt-get clean\n")) {
            assertTrue(apt.contains(call), call + " in\n" + apt);
        }
        // the deferred update-initramfs and the daemon block are gone again
        assertEquals(null, member(tar, "usr/sbin/update-initramfs"));
        assertEquals(null, member(tar, "usr/sbin/policy-rc.d"));
    }

    /** What the dnf stub records in a fedora or rhel build; {@code first} starts the install.d list. */
    static String dnfCalls(String first) {
        String install = first + "lsof tcpdump traceroute which ca-certificates selinux-policy selinux-policy-targeted"
                + " python3-libselinux python3-policycoreutils policycoreutils-python-utils passwd";
        return "dnf -v -y install gettext\ndnf mark user gettext\ndnf -y update\n"
                + "dnf -v -y install iscsi-initiator-utils\ndnf mark user iscsi-initiator-utils\n"
                + "dnf -v -y install " + install + "\ndnf mark user " + install + "\n"
                + "dnf repoquery --installonly --latest-limit=-1 -q\n";
    }

    @Test
    void fedora() throws Exception {
        Dib.Result r = dib().env("DIB_RELEASE", "42")
                .env("DIB_CLOUD_IMAGES", mirror.url("fedora/releases/42/Cloud/x86_64/images"))
                .env("DIB_DISTRIBUTION_MIRROR", "http://rpm.example/fedora")
                .run("disk-image-create", "-t", "tar", "-o", "fedora", "fedora");
        assertEquals(0, r.exit(), r.all());
        Path tar = work.resolve("out/fedora.tar");
        assertEquals("kernel\n", member(tar, "boot/vmlinuz-6.14.0"));
        assertTrue(member(tar, "etc/yum.repos.d/fedora.repo")
                .contains("\nbaseurl=http://rpm.example/fedora/releases/$releasever/Everything/$basearch/os/\n"));
        assertEquals("x86_64\n", member(tar, "etc/dnf/vars/basearch"));
        // install-packages (the yum element's) ran dnf for package-installs (pre-install:
        // redhat-common's gettext; install: fedora's and redhat-common's lists with pkg-map
        // names), base's update and iSCSI initiator; redhat-common's finalise looked for old
        // kernels, and the cache settings were put back afterwards
        assertEquals(dnfCalls("audit openssl vim-minimal kernel-modules "), member(tar, "root/dnf-calls"));
        assertEquals("[main]\nkeepcache=0\ncachedir=/var/cache/dnf\n", member(tar, "etc/dnf/dnf.conf"));
        assertTrue(Files.isDirectory(cache.resolve("yum")), "the package cache lives in the image cache");
    }

    @Test
    void rhel() throws Exception {
        Path image = work.resolve("mirror/fedora/releases/42/Cloud/x86_64/images/Fedora-Cloud-Base-Generic-42-1.1.x86_64.qcow2");
        Dib.Result r = dib().env("DIB_RELEASE", "9").env("DIB_LOCAL_IMAGE", image.toString())
                .env("DIB_LOCAL_IMAGE_SHA256", Fixtures.sha256(image))
                .env("REG_METHOD", "portal").env("REG_ACTIVATION_KEY", "key").env("REG_ORG", "4242")
                .run("disk-image-create", "-t", "tar", "-o", "rhel", "rhel");
        assertEquals(0, r.exit(), r.all());
        Path tar = work.resolve("out/rhel.tar");
        assertEquals("# Written by dib (rhel element): register with Red Hat Subscription Management at first boot.\n"
                + "rh_subscription:\n  activation-key: 'key'\n  org: '4242'\n",
                member(tar, "etc/cloud/cloud.cfg.d/50-dib-rh-subscription.cfg"));
        assertEquals(dnfCalls(""), member(tar, "root/dnf-calls"));
    }

    @Test
    void anRpmPackageDnfDoesNotKnowIsNamedWithItsElement() throws Exception {
        Dib.Result r = dib().env("DIB_RELEASE", "42")
                .env("DIB_CLOUD_IMAGES", mirror.url("fedora/releases/42/Cloud/x86_64/images"))
                .env("ELEMENTS_PATH", Dib.TEST_ELEMENTS.toString())
                .run("disk-image-create", "-t", "tar", "-o", "unknown", "fedora", "debian-test-unknown-pkg");
        assertNotEquals(0, r.exit(), r.all());
        List<String> lines = r.stderr().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), r.all());
        assertTrue(lines.get(0).contains("package-installs: package 'dib-test-no-such-package' (asked for in"
                + " pre-install.d by element debian-test-unknown-pkg) is not known to the image's package manager"),
                r.all());
        assertFalse(Files.exists(work.resolve("out/unknown.tar")));
        assertEquals(List.of(), Leftovers.under(tmp));
    }

    @Test
    void hooksUseCacheUrlOutsideAndInsideTheChroot() throws Exception {
        Path element = work.resolve("elements/cache-probe");
        Fixtures.write(element, "element-deps", "cache-url\n");
        Fixtures.write(element, "root.d/50-fetch", "#!/bin/sh\nset -e\n"
                + "\"$TMP_HOOKS_PATH/bin/cache-url\" \"$PROBE_URL\" \"$DIB_IMAGE_CACHE/probe/sums\"\n"
                + "\"$TMP_HOOKS_PATH/bin/cache-url\" \"$PROBE_URL\" \"$DIB_IMAGE_CACHE/probe/sums\"\n")
                .toFile().setExecutable(true);
        Fixtures.write(element, "install.d/50-fetch", "#!/bin/sh\nset -e\n"
                + "/tmp/in_target.d/bin/cache-url \"$PROBE_URL\" /root/sums\n"
                + "if /tmp/in_target.d/bin/cache-url \"$PROBE_URL.missing\" /root/missing; then exit 1; else echo \"status $?\" > /root/status; fi\n")
                .toFile().setExecutable(true);
        String url = mirror.url("ubuntu/noble/current/SHA256SUMS");
        Dib.Result r = dib().env("ELEMENTS_PATH", work.resolve("elements") + ":" + Dib.TEST_ELEMENTS)
                .env("PROBE_URL", url).run("disk-image-create", "-t", "tar", "-o", "probe", "fixture-busybox", "cache-probe");
        assertEquals(0, r.exit(), r.all());
        String sums = Files.readString(work.resolve("mirror/ubuntu/noble/current/SHA256SUMS"));
        assertEquals(sums, Files.readString(cache.resolve("probe/sums")));
        assertTrue(r.stdout().contains("Downloaded and cached " + url + " for the first time"), r.all());
        assertTrue(r.stdout().contains("Server copy has not changed. Using locally cached " + url), r.all());
        Path tar = work.resolve("out/probe.tar");
        assertEquals(sums, member(tar, "root/sums"));
        assertEquals("status 44\n", member(tar, "root/status"));
    }

    @Test
    void aChecksumMismatchStopsTheBuild() throws Exception {
        Dib.Result r = dib().env("DIB_RELEASE", "noble").env("DIB_CLOUD_IMAGES", mirror.url("bad/noble/current"))
                .env("DIB_IMAGE_CACHE", work.resolve("badcache").toString())
                .run("disk-image-create", "-t", "tar", "-o", "bad", "ubuntu");
        assertNotEquals(0, r.exit(), r.all());
        assertTrue(r.all().contains("SHA-256 mismatch for " + mirror.url("bad/noble/current/noble-server-cloudimg-amd64.squashfs")
                + ": expected " + "0".repeat(64)), r.all());
        assertEquals(List.of("SHA256SUMS.ubuntu.noble.amd64"), Fixtures.files(work.resolve("badcache")));
        assertTrue(!Files.exists(work.resolve("out/bad.tar")));
    }
}

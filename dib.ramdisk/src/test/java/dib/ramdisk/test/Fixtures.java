// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.test;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;

import dib.core.sandbox.Exec;
import dib.core.sandbox.Sandbox;

/** Image trees for the tests: the busybox fixture and a Debian tree, both with the host's kernel. */
final class Fixtures {
    /** The module directory (relative paths) the tests keep: enough for virtio disks and network. */
    static final List<String> KEEP_MODULES = List.of("kernel/drivers/virtio/", "kernel/drivers/block/virtio_blk",
            "kernel/drivers/net/virtio_net", "kernel/drivers/net/net_failover", "kernel/net/core/failover",
            "kernel/drivers/video/");

    static final Path MODULE_DIR = Path.of("").toAbsolutePath();
    static final Path ELEMENTS = MODULE_DIR.resolve("src/main/elements");
    static final Path TEST_ELEMENTS = MODULE_DIR.resolve("src/test/elements");
    static final Path FIXTURE_BUSYBOX = MODULE_DIR.resolve("../test-elements/fixture-busybox").normalize();

    private Fixtures() {
    }

    static Path element(String name) {
        Path p = ELEMENTS.resolve(name);
        return Files.isDirectory(p) ? p : TEST_ELEMENTS.resolve(name);
    }

    /** The newest kernel version of the host (/boot/vmlinuz-*). */
    static String hostKernel() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/boot"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("vmlinuz-"))
                    .map(n -> n.substring("vmlinuz-".length())).max(dib.ramdisk.internal.Versions.NATURAL)
                    .orElseThrow(() -> new IOException("the host has no /boot/vmlinuz-* (bin/dib-setup-host --test)"));
        }
    }

    /**
     * The repository's fixture-busybox tree (its root.d run as the engine would), optionally
     * with the host's kernel and a small part of its modules.
     */
    static void busybox(Sandbox sb, Path tree, boolean kernel) throws Exception {
        Files.createDirectories(tree);
        sb.check(Exec.of(FIXTURE_BUSYBOX.resolve("root.d/10-fixture-busybox").toString())
                .env("TARGET_ROOT", tree.toString()).env("DIB_FIXTURE_KERNEL", "0").quiet()
                .label("fixture-busybox root.d"));
        if (kernel) {
            addHostKernel(tree);
        }
    }

    /** Copies the host's kernel and the {@link #KEEP_MODULES} of its modules into the tree. */
    static void addHostKernel(Path tree) throws IOException {
        String v = hostKernel();
        Files.createDirectories(tree.resolve("boot"));
        Files.copy(Path.of("/boot/vmlinuz-" + v), tree.resolve("boot/vmlinuz-" + v), StandardCopyOption.REPLACE_EXISTING);
        Path src = Path.of("/lib/modules", v);
        Path dst = tree.resolve("lib/modules").resolve(v);
        Files.walkFileTree(src, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                Files.createDirectories(dst.resolve(src.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                String rel = src.relativize(f).toString();
                boolean keep = !rel.startsWith("kernel/") || KEEP_MODULES.stream().anyMatch(rel::startsWith);
                if (keep && !a.isSymbolicLink()) {
                    Files.copy(f, dst.resolve(rel), StandardCopyOption.REPLACE_EXISTING);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * A Debian bookworm tree (minbase plus busybox, udev, kmod, tgt, curl, cpio, isc-dhcp-client
     * and iproute2) from a
     * debootstrap tarball cached under {@code dib.test.cache} or {@code DIB_TEST_CACHE} (default
     * {@code ~/.cache/dib-test}), made on first use from the host's Debian mirror; plus the
     * host's kernel.
     */
    static void debian(Sandbox sb, Path tree) throws Exception {
        String env = System.getenv("DIB_TEST_CACHE");
        Path cache = Path.of(System.getProperty("dib.test.cache", env != null && !env.isBlank() ? env
                : System.getProperty("user.home") + "/.cache/dib-test"), "ramdisk");
        // shared with bench/ramdisk.sh (same name, same packages)
        Path tarball = cache.resolve("bookworm-minbase-ramdisk-v2.tar.gz");
        if (!Files.isRegularFile(tarball)) {
            Files.createDirectories(cache);
            Path work = Files.createTempDirectory(cache, "debootstrap.");
            try {
                sb.check(Exec.of("debootstrap", "--variant=minbase",
                        "--include=busybox,udev,kmod,tgt,curl,cpio,isc-dhcp-client,iproute2", "bookworm",
                        work.resolve("root").toString(), mirror()).quiet().label("debootstrap"));
                Path part = cache.resolve(tarball.getFileName() + ".part");
                sb.check(Exec.of("tar", "-C", work.resolve("root").toString(), "--numeric-owner", "-czf",
                        part.toString(), ".").quiet().label("tar"));
                Files.move(part, tarball, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                sb.run(Exec.of("rm", "-rf", "--one-file-system", work.toString()).quiet());
            }
        }
        Files.createDirectories(tree);
        sb.check(Exec.of("tar", "-C", tree.toString(), "--numeric-owner", "-xzf", tarball.toString()).quiet()
                .label("tar"));
        addHostKernel(tree);
    }

    private static String mirror() throws IOException {
        String m = System.getenv("DIB_DISTRIBUTION_MIRROR");
        if (m != null && !m.isBlank()) {
            return m;
        }
        Path sources = Path.of("/etc/apt/sources.list.d/debian.sources");
        if (Files.isRegularFile(sources)) {
            for (String l : Files.readAllLines(sources)) {
                if (l.startsWith("URIs:")) {
                    return l.substring(5).strip().split("\\s+")[0];
                }
            }
        }
        return "http://deb.debian.org/debian";
    }

    /** @return true if something is mounted at or under {@code dir} in the host's mount namespace */
    static boolean mountedUnder(Path dir) throws IOException {
        String d = dir.toString();
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4])
                .anyMatch(m -> m.equals(d) || m.startsWith(d + "/"));
    }

    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.distro.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Fixture images made by the tests: a busybox root tree, and from it a root tarball, a
 * squashfs, and a partitioned qcow2 with boot and root partitions, plus checksum lists.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** Runs a bash script with arguments; fails the test when it fails; returns its output. */
    public static String bash(String script, String... args) throws IOException, InterruptedException {
        String[] argv = new String[args.length + 4];
        argv[0] = "bash";
        argv[1] = "-euc";
        argv[2] = script;
        argv[3] = "bash";
        System.arraycopy(args, 0, argv, 4, args.length);
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), script + "\n" + out);
        return out;
    }

    /**
     * A small root tree: the host's static busybox with every applet linked, /bin/sh,
     * passwd and group, a set-uid file owned by 1000:1000, a file capability, a device node.
     */
    public static Path busyboxTree(Path dir) throws IOException, InterruptedException {
        bash("r=$1; mkdir -p \"$r\"/{bin,sbin,etc,dev,proc,sys,tmp,root,run,boot,var/log,usr/bin,usr/sbin}\n"
                + "chmod 1777 \"$r/tmp\"; cp /bin/busybox \"$r/bin/busybox\"\n"
                + "for a in $(/bin/busybox --list); do [ \"$a\" = busybox ] || [ -e \"$r/bin/$a\" ] || ln -s busybox \"$r/bin/$a\"; done\n"
                + "echo 'root:x:0:0:root:/root:/bin/sh' > \"$r/etc/passwd\"; echo 'root:x:0:' > \"$r/etc/group\"\n"
                + "printf '#!/bin/sh\\necho owned\\n' > \"$r/usr/bin/suid\"; chown 1000:1000 \"$r/usr/bin/suid\"; chmod 4755 \"$r/usr/bin/suid\"\n"
                + "setfattr -n security.capability -v 0x0100000200200000000000000000000000000000 \"$r/usr/bin/suid\"\n"
                + "mknod \"$r/dev/null\" c 1 3; chmod 666 \"$r/dev/null\"\n",
                dir.toString());
        return dir;
    }

    /**
     * Copies the host's bash and the shared libraries it loads into {@code root} (at the
     * host's paths), for hooks and tools that are bash scripts.
     */
    public static Path withBash(Path root) throws IOException, InterruptedException {
        bash("r=$1; b=$(readlink -f /bin/bash); install -D -m 755 \"$b\" \"$r/bin/bash\"\n"
                + "for l in $(ldd \"$b\" | grep -o '/[^ ]*' | sort -u); do\n"
                + "  [ -e \"$r$l\" ] || install -D -m 755 \"$(readlink -f \"$l\")\" \"$r$l\"; done\n",
                root.toString());
        return root;
    }

    /** Writes {@code content} to {@code root/rel}, creating directories. */
    public static Path write(Path root, String rel, String content) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    public static Path tarGz(Path tree, Path out) throws IOException, InterruptedException {
        bash("tar --numeric-owner --xattrs --xattrs-include='*' -C \"$1\" -czf \"$2\" .", tree.toString(), out.toString());
        return out;
    }

    public static Path squashfs(Path tree, Path out) throws IOException, InterruptedException {
        bash("mksquashfs \"$1\" \"$2\" -noappend -quiet >/dev/null", tree.toString(), out.toString());
        return out;
    }

    /**
     * A GPT disk image: a /boot partition (ext4, label boot) and a root partition (ext4),
     * as qcow2. {@code root} must have an empty /boot directory.
     */
    public static Path qcow2(Path root, Path boot, Path out) throws IOException, InterruptedException {
        bash("work=$(mktemp -d); trap 'rm -rf \"$work\"' EXIT; raw=$work/disk.raw\n"
                + "rmb=$(( $(du -sm \"$1\" | cut -f1) * 2 + 32 )); bmb=$(( $(du -sm \"$2\" | cut -f1) * 2 + 16 ))\n"
                + "truncate -s $(( 1 + bmb + rmb + 1 ))M \"$raw\"\n"
                + "printf 'label: gpt\\nstart=1MiB, size=%sMiB, type=BC13C2FF-59E6-4262-A352-B275FD6F7172, name=\"boot\"\\n"
                + "start=%sMiB, size=%sMiB, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=\"root\"\\n' "
                + "$bmb $((1 + bmb)) $rmb | sfdisk -q \"$raw\"\n"
                + "mkfs.ext4 -q -F -L boot -E offset=$((1024*1024)) -d \"$2\" \"$raw\" ${bmb}M\n"
                + "mkfs.ext4 -q -F -L root -E offset=$(( (1 + bmb) * 1024*1024 )) -d \"$1\" \"$raw\" ${rmb}M\n"
                + "qemu-img convert -f raw -O qcow2 \"$raw\" \"$3\"\n",
                root.toString(), boot.toString(), out.toString());
        return out;
    }

    public static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the names in {@code dir}, sorted, without lock files */
    public static java.util.List<String> files(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".lock")).sorted()
                    .collect(java.util.stream.Collectors.toList());
        }
    }

    /** Sets a file's modification time to {@code seconds} after the epoch. */
    public static void touch(Path file, long seconds) throws IOException {
        Files.setLastModifiedTime(file, FileTime.fromMillis(seconds * 1000));
    }
}

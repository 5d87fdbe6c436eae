// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Looks at images from outside, with the usual host tools. */
public final class Inspect {
    /** One line of {@code sfdisk -d}. */
    public record Part(long start, long size, String type, boolean bootable, String name) {
    }

    private Inspect() {
    }

    /** @return {@code qemu-img info}'s format */
    public static String format(Path image) throws Exception {
        return field(Fixtures.run("qemu-img", "info", "--output=json", image.toString()), "format");
    }

    /** @return {@code qemu-img info}'s virtual size */
    public static long virtualSize(Path image) throws Exception {
        return Long.parseLong(field(Fixtures.run("qemu-img", "info", "--output=json", image.toString()),
                "virtual-size"));
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"?([^\",\\n]+)\"?").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no " + name + " in " + json);
        }
        return m.group(1).strip();
    }

    /** @return {@code sfdisk -J}'s label ({@code dos}, {@code gpt}) */
    public static String label(Path raw) throws Exception {
        return field(Fixtures.run("sfdisk", "-J", raw.toString()), "label");
    }

    /** @return the partitions as {@code sfdisk -d} lists them */
    public static List<Part> partitions(Path raw) throws Exception {
        List<Part> out = new ArrayList<>();
        Pattern line = Pattern.compile(".*: start=\\s*(\\d+), size=\\s*(\\d+), type=([0-9A-Fa-f-]+)(.*)");
        for (String l : Fixtures.run("sfdisk", "-d", raw.toString()).split("\n")) {
            Matcher m = line.matcher(l);
            if (m.matches()) {
                Matcher n = Pattern.compile("name=\"([^\"]*)\"").matcher(m.group(4));
                out.add(new Part(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), m.group(3),
                        m.group(4).contains("bootable") || m.group(4).contains("LegacyBIOSBootable"),
                        n.find() ? n.group(1) : null));
            }
        }
        return out;
    }

    /** @return {@code blkid -p} of the file system at {@code offset}: LABEL, TYPE, UUID */
    public static Map<String, String> blkid(Path raw, long offset) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (String l : Fixtures.run("blkid", "-p", "-O", Long.toString(offset), "-o", "export", raw.toString())
                .split("\n")) {
            int eq = l.indexOf('=');
            if (eq > 0) {
                out.put(l.substring(0, eq), l.substring(eq + 1));
            }
        }
        return out;
    }

    /** Copies a region of an image into its own sparse file. */
    public static Path extract(Path raw, long offset, long size, Path to) throws Exception {
        Fixtures.run("dd", "if=" + raw, "of=" + to, "bs=1M", "iflag=skip_bytes,count_bytes", "skip=" + offset,
                "count=" + size, "conv=sparse", "status=none");
        return to;
    }

    /** Checks a file system image read-only with its type's checker; fails unless it is clean. */
    public static void fsck(Path fs, String type) throws Exception {
        List<String> argv = switch (type) {
            case "ext2", "ext3", "ext4" -> List.of("e2fsck", "-f", "-n", fs.toString());
            case "xfs" -> List.of("xfs_repair", "-n", "-f", fs.toString());
            case "btrfs" -> List.of("btrfs", "check", "--readonly", fs.toString());
            case "vfat" -> List.of("fsck.vfat", "-n", fs.toString());
            default -> throw new IllegalArgumentException(type);
        };
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), type + " check of " + fs + " is not clean: " + out);
    }

    /** @return a file of an ext file system image, read with debugfs */
    public static String extCat(Path fs, String path) throws Exception {
        return Fixtures.stdout("debugfs", "-R", "cat " + path, fs.toString());
    }

    /** @return debugfs's stat of a path of an ext file system image */
    public static String extStat(Path fs, String path) throws Exception {
        return Fixtures.stdout("debugfs", "-R", "stat " + path, fs.toString());
    }

    /** @return {@code mdir} of a FAT file system at an offset of an image */
    public static String mdir(Path raw, long offset, String dir) throws Exception {
        return Fixtures.run(Map.of("MTOOLS_SKIP_CHECK", "1"), "mdir", "-i", raw + "@@" + offset, dir);
    }

    /** A look at a mounted file system. */
    public interface MountedCheck {
        void check(Path root) throws Exception;
    }

    /** Mounts a region read-only in a private sandbox and runs {@code check} on it. */
    public static void mounted(Path raw, long offset, long size, MountedCheck check) throws Exception {
        Path dir = Files.createTempDirectory("dib-inspect.");
        try (dib.core.sandbox.ClosableSandbox sb = dib.core.sandbox.Sandboxes.open(l -> { })) {
            sb.check(dib.core.sandbox.Exec.of("mount", "-o", "ro,loop,offset=" + offset + ",sizelimit=" + size,
                    raw.toString(), dir.toString()).quiet());
            check.check(sb.host(dir));
        } finally {
            Files.delete(dir);
        }
    }

    /** @return the size of a file */
    public static long size(Path f) throws IOException {
        return Files.size(f);
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.archive;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dib.core.archive.ArchiveException;
import dib.core.archive.DiskImagePartitions;
import dib.core.internal.io.FileTrees;
import dib.core.sandbox.Sandbox;

/**
 * Repacks a cloud disk image (qcow2, optionally {@code .xz}-compressed, or raw) as a gzip
 * tarball of its root tree, as upstream's {@code extract-image} does, without device-mapper:
 * {@code qemu-img convert} to a raw file, the partition table from {@code sfdisk --dump},
 * file systems from {@code blkid -p} at each partition's offset, and read-only loop mounts
 * by offset inside the sandbox ({@code mount -o loop,ro,offset=...,sizelimit=...}); a FAT
 * EFI system partition is copied out with mtools instead, so no vfat driver is needed.
 *
 * <p>Partition choice (upstream's modern rule): a single partition is the root; otherwise,
 * scanning partitions from the last to the first and skipping those without a file system,
 * the first with the EFI System type is the ESP, the first with the XBOOTLDR type or the
 * label {@code boot} is {@code /boot}, and the first remaining one is the root. With no root
 * the boot partition becomes the root. The root is mounted first, then {@code /boot} and
 * {@code /boot/efi} inside it, and the whole tree is archived with numeric owners and all
 * extended attributes but {@code security.selinux}.
 */
public final class DiskImageRepacker {
    private static final String ESP = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b";
    private static final String XBOOTLDR = "bc13c2ff-59e6-4262-a352-b275fd6f7172";
    private static final Pattern FIELD = Pattern.compile("([a-z-]+)=\\s*(\"([^\"]*)\"|[^,]*)");

    /** One partition as found. */
    private record Part(int number, long start, long size, String type, String fs, String label) {
        String describe() {
            return "partition " + number + " (" + fs + (label.isEmpty() ? "" : ", label " + label) + ")";
        }
    }

    private final Commands commands;
    private final String imageName;

    public DiskImageRepacker(Sandbox sandbox, java.util.function.Consumer<String> log, String imageName) {
        this.commands = new Commands(sandbox, log);
        this.imageName = imageName;
    }

    /**
     * @param image   the disk image, as the commands see it
     * @param tarball where the tarball goes (replaced atomically), as the commands see it
     * @return the partitions used
     */
    public DiskImagePartitions repack(Path image, Path tarball) throws ArchiveException, InterruptedException {
        removeStale(tarball);
        String me = ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());
        Path work = tarball.resolveSibling("." + tarball.getFileName() + ".work-" + me);
        Path tmpTar = tarball.resolveSibling("." + tarball.getFileName() + ".tmp-" + me);
        List<Path> mounted = new ArrayList<>();
        boolean clean = true;
        try {
            Files.createDirectories(commands.jvm(work));
            Path raw = raw(image, work);
            List<Part> parts = partitions(raw);
            Part root = null;
            Part boot = null;
            Part esp = null;
            if (parts.size() == 1) {
                root = parts.get(0);
            } else {
                for (int i = parts.size() - 1; i >= 0; i--) {
                    Part p = parts.get(i);
                    if (p.fs.isEmpty() || p.fs.equals("swap")) {
                        continue;
                    }
                    if (esp == null && (p.type.equals(ESP) || p.type.equals("ef"))) {
                        esp = p;
                    } else if (boot == null && (p.type.equals(XBOOTLDR) || p.label.equals("boot"))) {
                        boot = p;
                    } else if (root == null) {
                        root = p;
                    }
                }
                if (root == null) {
                    root = boot;
                    boot = null;
                }
            }
            if (root == null || root.fs.isEmpty()) {
                throw new IOException("no root file system found (partitions: " + describe(parts) + ")");
            }
            commands.log().accept("Repacking " + imageName + ": root " + root.describe()
                    + (boot == null ? "" : ", /boot " + boot.describe())
                    + (esp == null ? "" : ", /boot/efi " + esp.describe()));
            Path mnt = work.resolve("mnt");
            Files.createDirectory(commands.jvm(mnt));
            mount(raw, root, mnt, mounted);
            if (boot != null) {
                mount(raw, boot, mountPoint(mnt, "boot"), mounted);
            }
            // a FAT ESP is copied out with mtools (no vfat driver needed), another one mounted
            Path fat = null;
            if (esp != null && esp.fs.equals("vfat")) {
                fat = work.resolve("esp");
                copyFat(raw, esp, fat.resolve("boot/efi"));
            } else if (esp != null) {
                mount(raw, esp, mountPoint(mnt, "boot/efi"), mounted);
            }
            commands.check("bash", "-c", "set -o pipefail; tar --numeric-owner --xattrs --xattrs-include='*' "
                    + "--xattrs-exclude=security.selinux --acls -cf - -C \"$1\" . ${3:+-C \"$3\" ./boot/efi} "
                    + "| gzip -1 > \"$2\"", "tar", mnt.toString(), tmpTar.toString(),
                    fat == null ? "" : fat.toString());
            clean = unmount(mounted);
            try {
                Files.move(commands.jvm(tmpTar), commands.jvm(tarball), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + tarball + " atomically", e);
            }
            return new DiskImagePartitions(root.describe(), boot == null ? null : boot.describe(),
                    esp == null ? null : esp.describe());
        } catch (IOException e) {
            throw new ArchiveException(imageName, null, "cannot repack " + imageName + ": " + e.getMessage(), e);
        } finally {
            clean &= unmount(mounted);
            try {
                Files.deleteIfExists(commands.jvm(tmpTar));
                if (clean) {
                    FileTrees.deleteRecursively(commands.jvm(work));
                } else {
                    Files.deleteIfExists(commands.jvm(work.resolve("disk.raw")));
                }
            } catch (IOException e) {
                commands.log().accept("cannot remove " + work + ": " + e.getMessage());
            }
        }
    }

    /**
     * Removes what a killed repack of the same tarball left next to it (its raw copy can be
     * gigabytes): working directories and partial tarballs named after a process that no
     * longer runs. Their mounts lived in that process's build namespace and went with it.
     */
    private void removeStale(Path tarball) {
        Pattern mine = Pattern.compile(Pattern.quote("." + tarball.getFileName()) + "\\.(work|tmp)-(\\d+)-[0-9a-f]+");
        try (java.util.stream.Stream<Path> s = Files.list(commands.jvm(tarball.getParent()))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Matcher m = mine.matcher(p.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(2))).isEmpty()) {
                    commands.log().accept("Removing " + p.getFileName() + ", left by a repack that did not finish");
                    FileTrees.deleteRecursively(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            commands.log().accept("cannot look for leftovers next to " + tarball + ": " + e.getMessage());
        }
    }

    /** @return a raw copy of the image in {@code work} (the image itself when it is raw) */
    private Path raw(Path image, Path work) throws IOException, InterruptedException {
        Path src = image;
        if (image.getFileName().toString().endsWith(".xz")) {
            src = work.resolve("image");
            commands.check("sh", "-c", "xz -dc \"$1\" > \"$2\"", "xz", image.toString(), src.toString());
        }
        String info = commands.check("qemu-img", "info", "--output=json", src.toString());
        Matcher m = Pattern.compile("\"format\"\\s*:\\s*\"([^\"]+)\"").matcher(info);
        String format = m.find() ? m.group(1) : "raw";
        if (format.equals("raw")) {
            return src;
        }
        Path raw = work.resolve("disk.raw");
        commands.check("qemu-img", "convert", "-f", format, "-O", "raw", src.toString(), raw.toString());
        return raw;
    }

    private List<Part> partitions(Path raw) throws IOException, InterruptedException {
        Commands.Result dump = commands.run("sfdisk", "--dump", raw.toString());
        List<Part> parts = new ArrayList<>();
        long sector = 512;
        if (dump.ok()) {
            Map<Integer, Map<String, String>> found = new TreeMap<>();
            Pattern line = Pattern.compile("^(\\S+?)(\\d+)\\s*:\\s*(.*)$");
            for (String l : dump.stdout().split("\n")) {
                if (l.startsWith("sector-size:")) {
                    sector = Long.parseLong(l.substring("sector-size:".length()).trim());
                    continue;
                }
                Matcher m = line.matcher(l);
                if (!m.matches()) {
                    continue;
                }
                Map<String, String> fields = new TreeMap<>();
                Matcher f = FIELD.matcher(m.group(3));
                while (f.find()) {
                    fields.put(f.group(1), f.group(3) != null ? f.group(3) : f.group(2).trim());
                }
                found.put(Integer.parseInt(m.group(2)), fields);
            }
            for (Map.Entry<Integer, Map<String, String>> e : found.entrySet()) {
                Map<String, String> f = e.getValue();
                long start = Long.parseLong(f.getOrDefault("start", "0")) * sector;
                long size = Long.parseLong(f.getOrDefault("size", "0")) * sector;
                String[] probe = probe(raw, start, size);
                parts.add(new Part(e.getKey(), start, size, f.getOrDefault("type", "").toLowerCase(Locale.ROOT),
                        probe[0], probe[1]));
            }
        }
        if (parts.isEmpty()) {
            // no partition table: a file system on the whole disk
            long size = Files.size(commands.jvm(raw));
            String[] probe = probe(raw, 0, size);
            parts.add(new Part(0, 0, size, "", probe[0], probe[1]));
        }
        return parts;
    }

    /** @return {file system type, label}, empty strings when blkid finds none */
    private String[] probe(Path raw, long offset, long size) throws IOException, InterruptedException {
        Commands.Result r = commands.run("blkid", "-p", "-o", "export", "-O", Long.toString(offset), "-S",
                Long.toString(size), raw.toString());
        String type = "";
        String label = "";
        if (r.ok()) {
            for (String l : r.stdout().split("\n")) {
                if (l.startsWith("TYPE=")) {
                    type = l.substring(5);
                } else if (l.startsWith("LABEL=")) {
                    label = l.substring(6);
                }
            }
        }
        return new String[] {type, label};
    }

    /** @return {@code mnt/sub} after checking it is a real directory of the mounted tree */
    private Path mountPoint(Path mnt, String sub) throws IOException {
        Path p = mnt.resolve(sub);
        if (!Files.isDirectory(commands.jvm(p), LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("the image's root has no /" + sub + " directory to mount its " + sub
                    + " partition on");
        }
        return p;
    }

    /** Copies a FAT file system's content into {@code to} with mtools. */
    private void copyFat(Path raw, Part p, Path to) throws IOException, InterruptedException {
        Files.createDirectories(commands.jvm(to));
        String image = raw + "@@" + p.start;
        String listing = commands.check("env", "MTOOLS_SKIP_CHECK=1", "mdir", "-b", "-i", image, "::/");
        if (listing.isBlank()) {
            return;
        }
        commands.check("env", "MTOOLS_SKIP_CHECK=1", "mcopy", "-s", "-m", "-n", "-Q", "-i", image, "::/*",
                to + "/");
    }

    private void mount(Path raw, Part p, Path at, List<Path> mounted) throws IOException, InterruptedException {
        String base = "loop,ro,offset=" + p.start + ",sizelimit=" + p.size;
        List<String> attempts = new ArrayList<>();
        switch (p.fs) {
            case "xfs":
                attempts.add(base + ",nouuid");
                attempts.add(base + ",nouuid,norecovery");
                break;
            case "btrfs":
                attempts.add(base + ",subvol=root");
                attempts.add(base);
                break;
            case "ext3":
            case "ext4":
                attempts.add(base);
                attempts.add(base + ",noload");
                break;
            default:
                attempts.add(base);
                break;
        }
        Commands.Result last = null;
        for (String opts : attempts) {
            last = commands.run("mount", "-t", p.fs, "-o", opts, raw.toString(), at.toString());
            if (last.ok()) {
                mounted.add(at);
                return;
            }
        }
        throw new IOException("cannot mount " + p.describe() + ": " + Commands.lastLines(last.output(), 2));
    }

    /** @return true when everything was unmounted */
    private boolean unmount(List<Path> mounted) {
        boolean ok = true;
        for (int i = mounted.size() - 1; i >= 0; i--) {
            try {
                Commands.Result r = commands.run("umount", mounted.get(i).toString());
                if (!r.ok()) {
                    ok = false;
                    commands.log().accept("cannot unmount " + mounted.get(i) + ": " + r.output().strip());
                }
            } catch (IOException e) {
                ok = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ok = false;
            }
        }
        mounted.clear();
        return ok;
    }

    private static String describe(List<Part> parts) {
        List<String> d = new ArrayList<>();
        for (Part p : parts) {
            d.add(p.number + ":" + (p.fs.isEmpty() ? "no file system" : p.fs));
        }
        return String.join(", ", d);
    }
}

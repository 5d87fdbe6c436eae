// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.osgi.service.component.annotations.Component;

import dib.blockdevice.KernelExtractor;
import dib.core.build.BuildException;
import dib.core.sandbox.ClosableSandbox;
import dib.core.sandbox.Exec;
import dib.core.sandbox.Sandbox;
import dib.core.sandbox.Sandboxes;

/**
 * {@link KernelExtractor} without nbd or partition devices: the image is converted to a
 * sparse raw file when it is not raw, its partitions are mounted read-only by offset in a
 * private sandbox (which takes every mount and loop device with it when it closes, also
 * when the JVM dies), and the kernel is chosen in the partition that holds {@code /boot}
 * (a separate {@code /boot} file system is combined with the root file system).
 */
@Component(service = KernelExtractor.class)
public final class KernelExtractorImpl implements KernelExtractor {
    private static final Pattern FORMAT = Pattern.compile("\"format\"\\s*:\\s*\"([^\"]+)\"");

    /** What one partition holds. */
    private record Candidate(Path mount, boolean bootKernel, boolean topKernel, boolean etc) {
    }

    @Override
    public Extracted extract(Path image, Path outDir, String prefix, Map<String, String> env, Consumer<String> log)
            throws BuildException {
        Path img = image.toAbsolutePath().normalize();
        if (!Files.isRegularFile(img)) {
            throw new BuildException("disk-image-get-kernel: " + image + " is not a file");
        }
        if (!Files.isDirectory(outDir)) {
            throw new BuildException("disk-image-get-kernel: output directory " + outDir + " does not exist");
        }
        Path tmp;
        try {
            tmp = Files.createTempDirectory("dib-get-kernel.");
        } catch (IOException e) {
            throw new BuildException("disk-image-get-kernel: cannot create a temporary directory: "
                    + Messages.describe(e), e);
        }
        try (ClosableSandbox sb = Sandboxes.open(log)) {
            Path raw = raw(sb, img, tmp, log);
            PartitionReader.Table table = PartitionReader.read(raw);
            List<long[]> regions = new ArrayList<>();
            if (table.kind() == PartitionReader.Kind.NONE) {
                regions.add(new long[] { 0, Files.size(raw) });
            } else {
                for (PartitionReader.Partition p : table.partitions()) {
                    regions.add(new long[] { p.start(), p.size() });
                }
            }
            List<Candidate> found = new ArrayList<>();
            for (int i = 0; i < regions.size(); i++) {
                Path mnt = tmp.resolve("p" + (i + 1));
                Files.createDirectories(mnt);
                long[] r = regions.get(i);
                try {
                    Cmd.quiet(sb, "mount", "mount", "-o", "ro,loop,offset=" + r[0] + ",sizelimit=" + r[1],
                            raw.toString(), mnt.toString());
                } catch (BuildException e) {
                    log.accept("disk-image-get-kernel: partition " + (i + 1) + " does not mount here, skipped");
                    continue;
                }
                Path h = sb.host(mnt);
                found.add(new Candidate(mnt, hasKernel(h.resolve("boot")), hasKernel(h),
                        Files.isDirectory(h.resolve("etc"), LinkOption.NOFOLLOW_LINKS)));
            }
            Path root = null;
            for (Candidate c : found) {
                if (c.bootKernel()) {
                    root = c.mount();
                    break;
                }
            }
            if (root == null) {
                root = combine(sb, found, tmp);
            }
            KernelSelector.Choice choice = KernelSelector.select(sb.host(root), env);
            Path kernel = outDir.toAbsolutePath().resolve(prefix + "-vmlinuz");
            Path initrd = outDir.toAbsolutePath().resolve(prefix + "-initrd");
            BaremetalCommand.copyOut(sb, root, "boot/" + choice.kernel(), kernel);
            BaremetalCommand.copyOut(sb, root, "boot/" + choice.initrd(), initrd);
            log.accept("disk-image-get-kernel: " + choice.kernel() + " -> " + kernel + ", " + choice.initrd() + " -> "
                    + initrd);
            return new Extracted(kernel, initrd);
        } catch (IOException e) {
            throw new BuildException("disk-image-get-kernel: " + image + ": " + Messages.describe(e), e);
        } finally {
            deleteTree(tmp);
        }
    }

    private static Path raw(Sandbox sb, Path img, Path tmp, Consumer<String> log) throws BuildException {
        String info = Cmd.capture(sb, "disk-image-get-kernel: qemu-img info", "qemu-img", "info", "--output=json",
                img.toString());
        Matcher m = FORMAT.matcher(info);
        String format = m.find() ? m.group(1) : "raw";
        if (format.equals("raw")) {
            return img;
        }
        Path raw = tmp.resolve("image.raw");
        log.accept("disk-image-get-kernel: converting the " + format + " image to raw");
        Cmd.run(sb, "disk-image-get-kernel: qemu-img convert", Exec.of("qemu-img", "convert", "-f", format, "-O",
                "raw", img.toString(), raw.toString()).quiet());
        return raw;
    }

    /** A separate /boot file system: bind it under the root file system's /boot. */
    private static Path combine(Sandbox sb, List<Candidate> found, Path tmp) throws BuildException {
        Candidate boot = null;
        Candidate root = null;
        for (Candidate c : found) {
            if (c.topKernel() && boot == null) {
                boot = c;
            } else if (c.etc() && root == null) {
                root = c;
            }
        }
        if (boot == null) {
            throw new BuildException("disk-image-get-kernel: no partition of the image holds a kernel (/boot/vmlinu*)");
        }
        if (root == null) {
            throw new BuildException("disk-image-get-kernel: the image has a /boot file system but no root file"
                    + " system to tell its distribution");
        }
        Path view = tmp.resolve("root");
        Cmd.quiet(sb, "disk-image-get-kernel", "mkdir", "-p", view.toString());
        Cmd.quiet(sb, "disk-image-get-kernel", "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", view.toString());
        Cmd.quiet(sb, "disk-image-get-kernel", "mkdir", "-p", view.resolve("etc").toString(),
                view.resolve("boot").toString());
        Cmd.quiet(sb, "disk-image-get-kernel", "mount", "--bind", root.mount().resolve("etc").toString(),
                view.resolve("etc").toString());
        Cmd.quiet(sb, "disk-image-get-kernel", "mount", "--bind", boot.mount().toString(),
                view.resolve("boot").toString());
        return view;
    }

    private static boolean hasKernel(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("vmlinu"));
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort; the directory is under /tmp
        }
    }
}

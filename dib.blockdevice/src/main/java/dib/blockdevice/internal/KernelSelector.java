// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dib.core.build.BuildException;

/**
 * Upstream's {@code select_boot_kernel_initrd}: which kernel and initrd of an image's
 * {@code /boot} to hand out (see the baremetal element's README for the rules). "Newest" is
 * GNU {@code ls -v} order.
 */
public final class KernelSelector {
    private static final Pattern RUN = Pattern.compile("\\d+|\\D+");

    /**
     * The choice: file names in the boot directory.
     *
     * @param kernel the kernel
     * @param initrd the initrd
     */
    public record Choice(String kernel, String initrd) {
    }

    private KernelSelector() {
    }

    /**
     * @param root the image's root, as a path the JVM can read
     * @param env  the variables ({@code DIB_BAREMETAL_*_PATTERN}, {@code DISTRO_NAME},
     *             {@code DIB_SIGNED_KERNEL_VERSION})
     * @return the choice
     * @throws BuildException naming what is missing
     */
    public static Choice select(Path root, Map<String, String> env) throws BuildException {
        Path boot = root.resolve("boot");
        List<String> names = list(boot);
        String kp = env.get("DIB_BAREMETAL_KERNEL_PATTERN");
        String ip = env.get("DIB_BAREMETAL_INITRD_PATTERN");
        if (kp != null && !kp.isEmpty() && ip != null && !ip.isEmpty()) {
            return new Choice(need(newest(names, glob(kp)), "matching DIB_BAREMETAL_KERNEL_PATTERN " + kp),
                    need(newest(names, glob(ip)), "matching DIB_BAREMETAL_INITRD_PATTERN " + ip));
        }
        if (Files.exists(root.resolve("etc/redhat-release"), LinkOption.NOFOLLOW_LINKS)) {
            String k = newest(names, n -> n.startsWith("vmlinuz") && n.contains("PAE") && !n.contains("debug"));
            if (k == null) {
                k = newest(names, n -> n.startsWith("vmlinuz") && !n.contains("debug"));
            }
            need(k, "(vmlinuz*)");
            String version = k.startsWith("vmlinuz-") ? k.substring("vmlinuz-".length()) : k;
            String initrd = "initramfs-" + version + ".img";
            if (!names.contains(initrd)) {
                throw new BuildException("can't find an initramfs for the " + version + " version of the kernel in"
                        + " /boot");
            }
            return new Choice(k, initrd);
        }
        if (Files.exists(root.resolve("etc/debian_version"), LinkOption.NOFOLLOW_LINKS)) {
            String k = newest(names, n -> n.startsWith("vmlinu") && n.endsWith("generic"));
            if (k == null) {
                k = newest(names, n -> n.startsWith("vmlinu"));
            }
            String i = newest(names, n -> n.startsWith("initrd") && n.endsWith("generic"));
            if (i == null) {
                i = newest(names, n -> n.startsWith("initrd"));
            }
            String signed = signedVersion(root, env);
            if (signed != null && !signed.isEmpty()) {
                k = newest(names, n -> n.startsWith("vmlinu") && n.endsWith("generic.efi.signed"));
            }
            return new Choice(need(k, "(vmlinu*)"), need(i, "(initrd*)"));
        }
        if (Files.exists(root.resolve("etc/SuSE-release"), LinkOption.NOFOLLOW_LINKS)
                || "opensuse".equals(env.get("DISTRO_NAME"))) {
            return new Choice(resolve(root, boot, "vmlinuz"), resolve(root, boot, "initrd"));
        }
        if (Files.exists(root.resolve("etc/gentoo-release"), LinkOption.NOFOLLOW_LINKS)) {
            return new Choice(need(newest(names, n -> n.startsWith("vmlinuz-")), "(vmlinuz-*)"),
                    need(newest(names, n -> n.startsWith("initramfs-")), "(initramfs-*)"));
        }
        throw new BuildException("unable to detect the operating system of the image (no /etc/redhat-release,"
                + " /etc/debian_version, /etc/SuSE-release or /etc/gentoo-release); set"
                + " DIB_BAREMETAL_KERNEL_PATTERN and DIB_BAREMETAL_INITRD_PATTERN");
    }

    private static String need(String name, String what) throws BuildException {
        if (name == null) {
            throw new BuildException("no suitable file " + what + " in /boot");
        }
        return name;
    }

    private static String signedVersion(Path root, Map<String, String> env) {
        Path f = root.resolve("dib-signed-kernel-version");
        if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
            try {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    Matcher m = Pattern.compile("\\s*(?:export\\s+)?DIB_SIGNED_KERNEL_VERSION=['\"]?([^'\"]*)['\"]?")
                            .matcher(line);
                    if (m.matches()) {
                        return m.group(1);
                    }
                }
            } catch (IOException e) {
                return env.get("DIB_SIGNED_KERNEL_VERSION");
            }
        }
        return env.get("DIB_SIGNED_KERNEL_VERSION");
    }

    /** Follows {@code boot/name} like {@code readlink -e}, with absolute links taken inside {@code root}. */
    private static String resolve(Path root, Path boot, String name) throws BuildException {
        Path p = inside(root, boot.resolve(name));
        if (!p.startsWith(boot)) {
            throw new BuildException("/boot/" + name + " leads out of /boot");
        }
        return boot.relativize(p).toString();
    }

    /**
     * Follows symbolic links the way the image sees them: absolute targets are taken inside
     * {@code root}, never on the host.
     *
     * @param root the image's root, as a path the JVM can read
     * @param file a path below it
     * @return the regular file it leads to, below {@code root}
     * @throws BuildException if it leads nowhere, out of the image, or loops
     */
    public static Path inside(Path root, Path file) throws BuildException {
        Path p = file.normalize();
        for (int i = 0; i < 40 && Files.isSymbolicLink(p); i++) {
            try {
                Path t = Files.readSymbolicLink(p);
                p = (t.isAbsolute() ? root.resolve(t.toString().substring(1)) : p.getParent().resolve(t)).normalize();
            } catch (IOException e) {
                throw new BuildException("cannot read the link " + p + ": " + Messages.describe(e), e);
            }
        }
        if (!p.startsWith(root) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new BuildException(root.relativize(file.normalize()) + " does not lead to a file in the image");
        }
        return p;
    }

    private static Predicate<String> glob(String pattern) {
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        return n -> m.matches(Path.of(n));
    }

    private static List<String> list(Path dir) throws BuildException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> out = new ArrayList<>();
            s.forEach(p -> out.add(p.getFileName().toString()));
            return out;
        } catch (IOException e) {
            throw new BuildException("cannot list /boot of the image: " + Messages.describe(e), e);
        }
    }

    /** @return the greatest name in {@code ls -v} order that matches, or null */
    public static String newest(List<String> names, Predicate<String> filter) {
        return names.stream().filter(filter).max(VERSION_ORDER).orElse(null);
    }

    /** An approximation of GNU filevercmp: digit runs compare as numbers, the rest as text. */
    public static final Comparator<String> VERSION_ORDER = (a, b) -> {
        Matcher ma = RUN.matcher(a);
        Matcher mb = RUN.matcher(b);
        while (true) {
            boolean ha = ma.find();
            boolean hb = mb.find();
            if (!ha || !hb) {
                return Boolean.compare(ha, hb);
            }
            String x = ma.group();
            String y = mb.group();
            int c;
            if (Character.isDigit(x.charAt(0)) && Character.isDigit(y.charAt(0))) {
                String xs = x.replaceFirst("^0+(?=.)", "");
                String ys = y.replaceFirst("^0+(?=.)", "");
                c = xs.length() != ys.length() ? Integer.compare(xs.length(), ys.length()) : xs.compareTo(ys);
            } else {
                c = x.compareTo(y);
            }
            if (c != 0) {
                return c;
            }
        }
    };
}

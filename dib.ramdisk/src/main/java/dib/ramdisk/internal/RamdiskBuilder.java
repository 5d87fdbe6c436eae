// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dib.core.sandbox.Exec;
import dib.core.sandbox.ExecResult;
import dib.core.sandbox.Sandbox;
import dib.core.sandbox.SandboxException;

/**
 * Builds a kernel + initramfs pair from an image tree. One instance per build; not
 * thread-safe. Every path in {@link Settings} is a path in the build's namespace; the JVM
 * reaches them through {@link Sandbox#host(Path)}.
 *
 * <p>Steps, in upstream's order: kernel version, {@code binary-deps.d} check, skeleton,
 * executables and their libraries ({@code ldd} run in a chroot of the tree), kernel
 * modules without framebuffer drivers, firmware, busybox applet links, udev rules,
 * {@code /init}, {@code ramdisk-install.d} hooks, the archive and the kernel.
 */
final class RamdiskBuilder {
    /** Where programs are looked up in the image, as a root shell's PATH. */
    static final List<String> SEARCH_PATH = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin",
            "/sbin", "/bin");
    private static final List<String> UDEVD = List.of("/sbin/udevd", "/lib/udev/udevd", "/lib/systemd/systemd-udevd",
            "/usr/lib/systemd/systemd-udevd", "/usr/lib/udev/udevd");
    private static final Pattern KERNEL = Pattern.compile("vmlinu[zx]-(.+)");
    private static final Pattern HOOK_NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern FB_MODULE = Pattern.compile(".*fb\\.ko(\\.(xz|gz|zst))?");
    private static final String RUNTIME = "runtime/";

    /**
     * What to build from where.
     *
     * @param targetRoot    the image tree ({@code TARGET_ROOT})
     * @param hooksDir      the merged hooks ({@code TMP_HOOKS_PATH})
     * @param workDir       where the ramdisk tree is assembled and the results are written
     * @param kernelVersion {@code DIB_KERNEL_VERSION}, or null for the newest in /boot
     * @param moduleRoot    {@code DIB_MODULE_ROOT}: prefix of /lib/modules and /lib/firmware in the tree
     * @param udevRoot      {@code DIB_LIB_UDEV_ROOT}: prefix of /lib/udev in the tree
     * @param busybox       {@code BUSYBOX}, or null to look {@code busybox} up in the tree
     * @param fixedTime     {@code SOURCE_DATE_EPOCH}, or null
     * @param compression   {@code DIB_RAMDISK_COMPRESSION}
     * @param keepTree      {@code DIB_RAMDISK_KEEP_TREE}: leave the assembled tree for inspection
     * @param environment   the caller's environment, handed to {@code ramdisk-install.d} hooks
     */
    record Settings(Path targetRoot, Path hooksDir, Path workDir, String kernelVersion, String moduleRoot,
            String udevRoot, String busybox, Long fixedTime, Compression compression, boolean keepTree,
            Map<String, String> environment) {
    }

    /** Names the element a merged hook file came from. */
    interface Owners {
        /**
         * @param hookDir a hook directory name such as {@code binary-deps.d}
         * @param file    a file name in it
         * @return the element, or null if unknown
         */
        String owner(String hookDir, String file);
    }

    /** The results, in the build's namespace. */
    record Result(Path initramfs, Path kernel, String kernelVersion, int entries, long treeBytes,
            long initramfsBytes) {
    }

    private record Dep(String name, String element, String file) {
    }

    private final Sandbox sandbox;
    private final Settings s;
    private final Owners owners;
    private final Consumer<String> log;
    private final Runnable checkpoint;
    private final TreeResolver target;
    private final Path treeNs;
    private final Path tree;

    RamdiskBuilder(Sandbox sandbox, Settings settings, Owners owners, Consumer<String> log, Runnable checkpoint) {
        this.sandbox = sandbox;
        this.s = settings;
        this.owners = owners;
        this.log = log;
        this.checkpoint = checkpoint;
        this.target = new TreeResolver(sandbox.host(settings.targetRoot()));
        this.treeNs = settings.workDir().resolve("tree");
        this.tree = sandbox.host(treeNs);
    }

    Result build() throws RamdiskException, IOException, InterruptedException {
        long t0 = System.nanoTime();
        Path work = sandbox.host(s.workDir());
        if (!Files.isDirectory(target.root())) {
            throw new RamdiskException("the image tree " + s.targetRoot() + " does not exist");
        }
        boolean created = !Files.exists(work);
        Files.createDirectories(work);
        deleteTree(tree);
        boolean ok = false;
        try {
            // what the elements need first (upstream checks it at the end of post-install)
            List<Dep> deps = binaryDeps();
            String busybox = target.which(busyboxName(), SEARCH_PATH);
            Set<String> applets = busybox == null ? Set.of() : applets(busybox);
            checkDeps(deps, applets);
            if (busybox == null) {
                throw new RamdiskException("busybox is not installed in the image " + s.targetRoot()
                        + ": the ramdisk's /init runs on it (install busybox, or set BUSYBOX)");
            }
            String version = kernelVersion();
            String kernelFile = kernelFile(version);
            log.accept("ramdisk: kernel " + version + " (" + kernelFile + ")");
            checkpoint.run();

            skeleton();
            Map<String, String> binaries = binaries(busybox, deps, applets);
            copyBinaries(binaries);
            checkpoint.run();
            modules(version);
            checkpoint.run();
            busyboxLinks(applets);
            udev();
            init();
            ramdiskInstall();
            checkpoint.run();

            Path initramfs = s.workDir().resolve("initramfs");
            Path kernel = s.workDir().resolve("kernel");
            CpioArchiver.Stats st = archive(sandbox.host(initramfs));
            copyKernel(kernelFile, sandbox.host(kernel));
            long size = Files.size(sandbox.host(initramfs));
            log.accept(String.format("ramdisk: %d entries, %.1f MiB of files, initramfs %.1f MiB (%s), in %.1f s",
                    st.entries(), st.bytes() / 1048576.0, size / 1048576.0, s.compression().word(),
                    (System.nanoTime() - t0) / 1e9));
            ok = true;
            return new Result(initramfs, kernel, version, st.entries(), st.bytes(), size);
        } finally {
            if (!ok) {
                Files.deleteIfExists(work.resolve("initramfs.part"));
                Files.deleteIfExists(work.resolve("kernel.part"));
                Files.deleteIfExists(work.resolve("initramfs"));
                Files.deleteIfExists(work.resolve("kernel"));
            }
            if (!ok || !s.keepTree()) {
                deleteTree(tree);
            }
            if (!ok && created) {
                try (Stream<Path> l = Files.list(work)) {
                    if (l.findAny().isEmpty()) {
                        Files.delete(work);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ kernel

    private String kernelVersion() throws IOException, RamdiskException {
        if (s.kernelVersion() != null && !s.kernelVersion().isBlank()) {
            return s.kernelVersion().strip();
        }
        Path boot = target.hostResolved(s.moduleRoot() + "/boot");
        TreeSet<String> versions = new TreeSet<>(Versions.NATURAL);
        if (Files.isDirectory(boot)) {
            try (Stream<Path> l = Files.list(boot)) {
                l.forEach(p -> {
                    Matcher m = KERNEL.matcher(p.getFileName().toString());
                    if (m.matches()) {
                        versions.add(m.group(1));
                    }
                });
            }
        }
        if (versions.isEmpty()) {
            throw new RamdiskException("no kernel in the image: " + s.targetRoot() + "/boot has no vmlinuz-* "
                    + "(install a kernel package, or set DIB_KERNEL_VERSION)");
        }
        return versions.last();
    }

    private String kernelFile(String version) throws IOException, RamdiskException {
        for (String n : List.of("/boot/vmlinuz-" + version, "/boot/vmlinux-" + version)) {
            if (Files.isRegularFile(target.hostResolved(s.moduleRoot() + n))) {
                return s.moduleRoot() + n;
            }
        }
        throw new RamdiskException("kernel " + version + " is not in the image: no /boot/vmlinuz-" + version
                + " under " + s.targetRoot() + " (check DIB_KERNEL_VERSION)");
    }

    // ------------------------------------------------------------------ binaries

    private List<Dep> binaryDeps() throws IOException {
        List<Dep> deps = new ArrayList<>();
        Path dir = sandbox.host(s.hooksDir().resolve("binary-deps.d"));
        for (String f : listNames(dir)) {
            Path p = dir.resolve(f);
            if (!Files.isRegularFile(p)) {
                continue;
            }
            String element = owners.owner("binary-deps.d", f);
            for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                // dib extension: '#' starts a comment (upstream has none; its files still read the same)
                int hash = line.indexOf('#');
                for (String w : (hash >= 0 ? line.substring(0, hash) : line).split("\\s+")) {
                    if (!w.isEmpty()) {
                        deps.add(new Dep(w, element == null ? "?" : element, f));
                    }
                }
            }
        }
        return deps;
    }

    private String busyboxName() {
        return s.busybox() == null || s.busybox().isBlank() ? "busybox" : s.busybox().strip();
    }

    private Set<String> applets(String busybox) throws IOException, InterruptedException, RamdiskException {
        ExecResult r = sandbox.run(Exec.of(busybox, "--list").chroot(s.targetRoot()).capture().quiet());
        String text = r.stdout();
        if (!r.ok() || text.isBlank()) {
            // busybox before 1.18 has no --list: the names follow "Currently defined functions:"
            ExecResult h = sandbox.run(Exec.of(busybox, "--help").chroot(s.targetRoot()).capture().quiet());
            int i = h.stdout().indexOf("Currently defined functions:");
            if (i < 0) {
                throw new RamdiskException(busybox + " in the image cannot list its applets (busybox --list failed"
                        + (r.tail().isEmpty() ? "" : ": " + String.join(" | ", r.tail())) + ")");
            }
            text = h.stdout().substring(i + "Currently defined functions:".length()).replace(',', '\n');
        }
        Set<String> applets = new TreeSet<>();
        for (String l : text.split("\\s+")) {
            if (!l.isBlank() && !l.contains("/")) {
                applets.add(l.strip());
            }
        }
        return applets;
    }

    /** A binary busybox provides is taken from busybox, except ip (busybox's lacks features). */
    private static boolean fromBusybox(String name, Set<String> applets) {
        return applets.contains(name) && !name.equals("ip");
    }

    private void checkDeps(List<Dep> deps, Set<String> applets) throws IOException, RamdiskException {
        List<String> missing = new ArrayList<>();
        for (Dep d : deps) {
            if (fromBusybox(d.name(), applets)) {
                continue;
            }
            if (target.which(d.name(), SEARCH_PATH) == null) {
                missing.add("element '" + d.element() + "' needs '" + d.name() + "' (binary-deps.d/" + d.file() + ")");
            }
        }
        if (!missing.isEmpty()) {
            throw new RamdiskException(String.join("; ", missing) + ", which " + (missing.size() == 1 ? "is" : "are")
                    + " not installed in the image (searched " + String.join(":", SEARCH_PATH)
                    + "); install it in an earlier phase");
        }
    }

    /** @return ramdisk path to tree path of every executable to copy, busybox first */
    private Map<String, String> binaries(String busybox, List<Dep> deps, Set<String> applets) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("/bin/" + baseName(busybox), busybox);
        // what upstream always copies when the image has it
        for (String n : List.of("bash", "udevadm")) {
            String p = target.which(n, SEARCH_PATH);
            if (p != null && !fromBusybox(n, applets)) {
                out.putIfAbsent("/bin/" + n, p);
            }
        }
        for (String u : UDEVD) {
            if (target.isExecutableFile(s.udevRoot() + u)) {
                out.putIfAbsent("/bin/" + baseName(u), s.udevRoot() + u);
                break;
            }
        }
        for (Dep d : deps) {
            if (!fromBusybox(d.name(), applets)) {
                out.putIfAbsent("/bin/" + baseName(d.name()), target.which(d.name(), SEARCH_PATH));
            }
        }
        return out;
    }

    private void copyBinaries(Map<String, String> binaries)
            throws IOException, InterruptedException, RamdiskException {
        for (Map.Entry<String, String> e : binaries.entrySet()) {
            Path src = target.hostResolved(e.getValue());
            Path dst = host(e.getKey());
            Files.createDirectories(dst.getParent());
            Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        }
        log.accept("ramdisk: " + binaries.size() + " executables: " + String.join(" ", binaries.values()));
        Map<String, List<Ldd.Lib>> libs = libraries(new ArrayList<>(binaries.values()));
        int copied = 0;
        for (Map.Entry<String, List<Ldd.Lib>> e : libs.entrySet()) {
            for (Ldd.Lib lib : e.getValue()) {
                if (copyLibrary(e.getKey(), lib)) {
                    copied++;
                }
            }
        }
        log.accept("ramdisk: " + copied + " shared libraries");
    }

    /** Runs ldd once, in a chroot of the tree, for all binaries. */
    private Map<String, List<Ldd.Lib>> libraries(List<String> binaries)
            throws IOException, InterruptedException, RamdiskException {
        Map<String, List<Ldd.Lib>> out = new LinkedHashMap<>();
        String ldd = target.which("ldd", SEARCH_PATH);
        String sh = target.isExecutableFile("/bin/sh") ? "/bin/sh" : null;
        if (ldd == null || sh == null) {
            for (String b : binaries) {
                String interp = Elf.interpreter(target.hostResolved(b));
                if (interp != null) {
                    throw new RamdiskException(b + " in the image is dynamically linked (" + interp
                            + ") but the image has no " + (ldd == null ? "ldd" : "/bin/sh")
                            + " to list its shared libraries");
                }
            }
            return out;
        }
        String script = "for f in \"$@\"; do echo \"@@dib-ldd $f\"; " + ldd
                + " \"$f\" 2>&1; echo \"@@dib-rc $?\"; done";
        List<String> argv = new ArrayList<>(List.of(sh, "-c", script, "sh"));
        argv.addAll(binaries);
        ExecResult r = sandbox.run(Exec.of(argv).chroot(s.targetRoot()).capture().quiet().label("ldd"));
        if (!r.ok()) {
            throw new RamdiskException("ldd in the image failed with exit status " + r.exitStatus()
                    + (r.tail().isEmpty() ? "" : ": " + String.join(" | ", r.tail())));
        }
        String current = null;
        StringBuilder body = new StringBuilder();
        for (String line : r.stdout().split("\n")) {
            if (line.startsWith("@@dib-ldd ")) {
                current = line.substring("@@dib-ldd ".length());
                body.setLength(0);
            } else if (line.startsWith("@@dib-rc ") && current != null) {
                int rc = Integer.parseInt(line.substring("@@dib-rc ".length()).strip());
                String text = body.toString();
                if (rc != 0) {
                    // a static binary or a script: nothing to copy, unless ELF says otherwise
                    String interp = Elf.interpreter(target.hostResolved(current));
                    if (interp != null) {
                        throw new RamdiskException("ldd cannot list the libraries of " + current + " in the image: "
                                + text.strip().replace('\n', ' '));
                    }
                } else {
                    List<String> missing = new ArrayList<>();
                    List<Ldd.Lib> libs = Ldd.parse(text, missing);
                    if (!missing.isEmpty()) {
                        throw new RamdiskException(current + " in the image needs " + String.join(", ", missing)
                                + ", which ldd cannot find in the image");
                    }
                    out.put(current, libs);
                }
                current = null;
            } else if (current != null) {
                body.append(line).append('\n');
            }
        }
        return out;
    }

    /**
     * Copies one library to /lib/BASENAME (never over an existing file) and links the name the
     * binary refers to it by when that differs, e.g. /lib64/ld-linux-x86-64.so.2.
     *
     * @return true if a file was copied
     */
    private boolean copyLibrary(String binary, Ldd.Lib lib) throws IOException, RamdiskException {
        String dest = "/lib/" + baseName(lib.real());
        Path src = target.hostResolved(lib.real());
        if (!Files.isRegularFile(src, LinkOption.NOFOLLOW_LINKS)) {
            throw new RamdiskException(binary + " needs " + lib.real() + ", which is not a file in the image");
        }
        boolean copied = false;
        Path d = host(dest);
        if (!Files.exists(d, LinkOption.NOFOLLOW_LINKS)) {
            Files.copy(src, d, StandardCopyOption.COPY_ATTRIBUTES);
            copied = true;
        }
        String ref = lib.ref().startsWith("/") ? lib.ref() : "/lib/" + lib.ref();
        if (!normalize(ref).equals(dest)) {
            Path link = host(ref);
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(link.getParent());
                Files.createSymbolicLink(link, Path.of(dest));
            }
        }
        return copied;
    }

    // ------------------------------------------------------------------ tree

    private void skeleton() throws IOException {
        for (String d : List.of("bin", "lib/modules", "lib/udev/rules.d", "lib/dib", "etc/udev", "etc/modprobe.d",
                "var/lib/dhcp", "var/log", "run", "proc", "sys", "dev", "tmp", "mnt", "root", "boot", "usr")) {
            Files.createDirectories(tree.resolve(d));
        }
        Files.setPosixFilePermissions(tree.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        symlink("sbin", "bin");
        symlink("usr/bin", "../bin");
        symlink("usr/sbin", "../bin");
        symlink("usr/lib", "../lib");
        symlink("var/run", "../run");
        Files.writeString(tree.resolve("etc/fstab"), "");
        Files.writeString(tree.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(tree.resolve("etc/group"), "root:x:0:\n");
        Files.writeString(tree.resolve("etc/udev/udev.conf"), "udev_log=\"err\"\n");
        // the image's module options and blacklists, then ours
        Path modprobe = target.hostResolved("/etc/modprobe.d");
        for (String f : listNames(modprobe)) {
            Path p = target.hostResolved("/etc/modprobe.d/" + f);
            if (f.endsWith(".conf") && Files.isRegularFile(p)) {
                Files.copy(p, tree.resolve("etc/modprobe.d/" + f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.writeString(tree.resolve("etc/modprobe.d/blacklist-dib-ramdisk.conf"), "blacklist evbug\n");
        writeRuntime("udhcpc.script", tree.resolve("lib/dib/udhcpc.script"), true);
        writeRuntime("init-functions", tree.resolve("lib/dib/init-functions"), false);
    }

    private void modules(String version) throws IOException, InterruptedException {
        Path src = target.hostResolved(s.moduleRoot() + "/lib/modules/" + version);
        int[] removed = {0};
        if (Files.isDirectory(src)) {
            Path dst = tree.resolve("lib/modules/" + version);
            long n = copyTree(src, dst, rel -> {
                if (rel.startsWith("kernel/drivers/video/") && FB_MODULE.matcher(baseName(rel)).matches()) {
                    removed[0]++;
                    return false;
                }
                return true;
            });
            log.accept("ramdisk: " + n + " module files of " + version + " (" + removed[0]
                    + " framebuffer drivers left out for text consoles)");
            if (removed[0] > 0) {
                depmod(version);
            }
        } else {
            log.accept("ramdisk: warning: the image has no " + s.moduleRoot() + "/lib/modules/" + version
                    + "; the ramdisk gets no kernel modules");
        }
        Path fw = target.hostResolved(s.moduleRoot() + "/lib/firmware");
        if (Files.isDirectory(fw)) {
            long n = copyTree(fw, tree.resolve("lib/firmware"), rel -> true);
            log.accept("ramdisk: " + n + " firmware files");
        }
    }

    /** Refreshes modules.dep after dropping modules, with the host's depmod when it has one. */
    private void depmod(String version) throws IOException, InterruptedException {
        ExecResult r = sandbox.run(Exec.of("depmod", "-b", treeNs.toString(), version).quiet().label("depmod"));
        if (!r.ok()) {
            log.accept("ramdisk: note: depmod -b failed (" + r.exitStatus()
                    + "); modules.dep still lists the framebuffer drivers");
        }
    }

    private void busyboxLinks(Set<String> applets) throws IOException {
        int n = 0;
        for (String a : applets) {
            if (a.equals("busybox")) {
                continue;
            }
            Path link = tree.resolve("bin").resolve(a);
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, Path.of("busybox"));
                n++;
            }
        }
        log.accept("ramdisk: " + n + " busybox applet links");
    }

    private void udev() throws IOException {
        String libUdev = s.udevRoot() + "/lib/udev";
        for (String rule : List.of("50-firmware.rules", "80-drivers.rules")) {
            Path p = target.hostResolved(libUdev + "/rules.d/" + rule);
            if (Files.isRegularFile(p)) {
                Files.copy(p, tree.resolve("lib/udev/rules.d/" + rule), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path dir = sandbox.host(s.hooksDir().resolve("udev.d"));
        List<String> names = listNames(dir);
        for (String f : names) {
            if (Files.isRegularFile(dir.resolve(f))) {
                Files.copy(dir.resolve(f), tree.resolve("lib/udev/rules.d/" + f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (!names.isEmpty()) {
            log.accept("ramdisk: udev rules from udev.d: " + String.join(" ", names));
        }
    }

    /** /init: the runtime head, every init.d fragment in name order (each named), the tail. */
    private void init() throws IOException, RamdiskException {
        StringBuilder b = new StringBuilder(runtime("init"));
        Path dir = sandbox.host(s.hooksDir().resolve("init.d"));
        List<String> used = new ArrayList<>();
        for (String f : listNames(dir)) {
            Path p = dir.resolve(f);
            if (!Files.isRegularFile(p)) {
                continue;
            }
            String element = owners.owner("init.d", f);
            b.append("\n# init fragment from ").append(f);
            if (element != null) {
                b.append(" (element ").append(element).append(')');
            }
            b.append("\ndib_fragment ").append(shellWord(f)).append('\n');
            String text = Files.readString(p, StandardCharsets.UTF_8);
            b.append(text);
            if (!text.endsWith("\n")) {
                b.append('\n');
            }
            used.add(f);
        }
        b.append(runtime("init-end"));
        Path init = tree.resolve("init");
        Files.writeString(init, b.toString());
        Files.setPosixFilePermissions(init, PosixFilePermissions.fromString("rwxr-xr-x"));
        log.accept("ramdisk: /init with fragments " + (used.isEmpty() ? "(none)" : String.join(" ", used)));
    }

    private void ramdiskInstall() throws IOException, InterruptedException, RamdiskException {
        Path dirNs = s.hooksDir().resolve("ramdisk-install.d");
        Path dir = sandbox.host(dirNs);
        Map<String, String> env = new TreeMap<>(s.environment());
        env.put("TMP_MOUNT_PATH", treeNs.toString());
        for (String f : listNames(dir)) {
            Path p = dir.resolve(f);
            if (!HOOK_NAME.matcher(f).matches() || !Files.isRegularFile(p) || !Files.isExecutable(p)) {
                continue;
            }
            String element = owners.owner("ramdisk-install.d", f);
            String label = "ramdisk-install.d/" + f + (element == null ? "" : " of element " + element);
            log.accept("ramdisk: running " + label);
            try {
                sandbox.check(Exec.of(dirNs.resolve(f).toString()).environment(env).cwd(treeNs).label(label));
            } catch (SandboxException e) {
                throw new RamdiskException(e.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------ outputs

    private CpioArchiver.Stats archive(Path out) throws IOException {
        Path part = out.resolveSibling(out.getFileName() + ".part");
        CpioArchiver.Stats st;
        try (OutputStream o = s.compression().wrap(Files.newOutputStream(part))) {
            st = new CpioArchiver(s.fixedTime()).write(tree, o);
        }
        Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(part, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return st;
    }

    private void copyKernel(String kernelFile, Path out) throws IOException {
        Path part = out.resolveSibling(out.getFileName() + ".part");
        Files.copy(target.hostResolved(kernelFile), part, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(part, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    // ------------------------------------------------------------------ helpers

    private Path host(String ramdiskPath) {
        return tree.resolve(ramdiskPath.startsWith("/") ? ramdiskPath.substring(1) : ramdiskPath);
    }

    private void symlink(String at, String to) throws IOException {
        Path p = tree.resolve(at);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(p, Path.of(to));
        }
    }

    private void writeRuntime(String name, Path to, boolean executable) throws IOException {
        Files.writeString(to, runtime(name));
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
    }

    static String runtime(String name) throws IOException {
        try (InputStream in = RamdiskBuilder.class.getResourceAsStream(RUNTIME + name)) {
            if (in == null) {
                throw new IOException("dib.ramdisk is missing its runtime file " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Copies a directory tree: symbolic links as links, regular files hard-linked when the
     * source is on the same file system (the image tree is only a source in ramdisk mode) and
     * copied otherwise.
     *
     * @return the number of files
     */
    private static long copyTree(Path src, Path dst, java.util.function.Predicate<String> include)
            throws IOException {
        long[] n = {0};
        boolean[] linkable = {true};
        Files.walkFileTree(src, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path d = dst.resolve(src.relativize(dir).toString());
                Files.createDirectories(d);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String rel = src.relativize(file).toString();
                if (!include.test(rel)) {
                    return FileVisitResult.CONTINUE;
                }
                Path d = dst.resolve(rel);
                if (attrs.isSymbolicLink()) {
                    Files.deleteIfExists(d);
                    Files.createSymbolicLink(d, Files.readSymbolicLink(file));
                } else if (attrs.isRegularFile()) {
                    Files.deleteIfExists(d);
                    if (linkable[0]) {
                        try {
                            Files.createLink(d, file);
                            n[0]++;
                            return FileVisitResult.CONTINUE;
                        } catch (IOException | UnsupportedOperationException e) {
                            linkable[0] = false;
                        }
                    }
                    Files.copy(file, d, StandardCopyOption.COPY_ATTRIBUTES);
                }
                n[0]++;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Path d = dst.resolve(src.relativize(dir).toString());
                Files.setPosixFilePermissions(d, Files.getPosixFilePermissions(dir));
                return FileVisitResult.CONTINUE;
            }
        });
        return n[0];
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** @return the names in a directory in byte order (as {@code ls} in the C locale), or none */
    static List<String> listNames(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> l = Files.list(dir)) {
                l.forEach(p -> names.add(p.getFileName().toString()));
            }
        }
        names.sort((a, b) -> java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
                b.getBytes(StandardCharsets.UTF_8)));
        return names;
    }

    private static String baseName(String p) {
        int i = p.lastIndexOf('/');
        return i < 0 ? p : p.substring(i + 1);
    }

    private static String normalize(String p) {
        return Path.of(p).normalize().toString();
    }

    private static String shellWord(String s) {
        return s.matches("[A-Za-z0-9_.-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}

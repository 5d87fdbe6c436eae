// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dib.blockdevice.FileSystem;
import dib.blockdevice.Mount;
import dib.core.build.BuildException;
import dib.core.sandbox.Exec;
import dib.core.sandbox.Sandbox;

/**
 * Installs GRUB 2 (or extlinux) into a created layout without partition devices: the boot
 * code is written into the image file at the offsets the partition table names, GRUB's
 * core image embeds every module it needs and finds {@code /boot} by label, and the
 * configuration names file systems by label.
 */
final class Bootloader {
    private static final List<String> MODULES = List.of("part_msdos", "part_gpt", "ext2", "xfs", "btrfs", "fat",
            "search", "search_label", "search_fs_uuid", "search_fs_file", "normal", "linux", "configfile", "echo",
            "test", "boot", "minicmd", "ls", "cat", "halt", "reboot", "loadenv", "gzio", "serial", "terminal");
    private static final Pattern KERNEL = Pattern.compile("vmlinu[xz]-(.+)");

    private final YamlLayout layout;
    private final Map<String, String> env;
    private final Consumer<String> log;
    private final Sandbox sb;
    private final Path root;
    private final String arch;

    /** A kernel of /boot and its initrd (null when there is none). */
    record Kernel(String file, String version, String initrd) {
    }

    Bootloader(YamlLayout layout, Map<String, String> env, Consumer<String> log) {
        this.layout = layout;
        this.env = env;
        this.log = log;
        this.sb = layout.build().sandbox();
        this.root = layout.mountBase();
        this.arch = env.getOrDefault("ARCH", layout.build().arch());
    }

    private String var(String name, String fallback) {
        String v = env.get(name);
        return v == null ? fallback : v;
    }

    void install() throws BuildException {
        FileSystem rootFs = fsAt("/").orElseThrow(() -> new BuildException(
                "bootloader: the image has no file system mounted at /"));
        Optional<FileSystem> bootPart = fsAt("/boot");
        FileSystem bootFs = bootPart.orElse(rootFs);
        String bootPrefix = bootPart.isPresent() ? "" : "/boot";
        List<Kernel> kernels = kernels();
        if (kernels.isEmpty()) {
            log.accept("WARNING: bootloader: no kernel in /boot; the boot menu will be empty");
        }
        String serial = serialConsole();
        String cmdline = "root=LABEL=" + rootFs.label() + " ro console=tty0 console=" + serial + " no_timer_check "
                + var("DIB_BOOTLOADER_DEFAULT_CMDLINE", "nofb nomodeset gfxpayload=text");
        cmdline = cmdline.strip();
        PartitionReader.Table table;
        try {
            table = PartitionReader.read(sb.host(layout.rawImage()));
        } catch (IOException e) {
            throw new BuildException("bootloader: cannot read the partition table of " + layout.rawImage() + ": "
                    + Messages.describe(e), e);
        }
        if (table.kind() == PartitionReader.Kind.NONE) {
            throw new BuildException("bootloader: the image is a bare file system without a partition table;"
                    + " use the vm element or a block-device-* element");
        }
        String extlinux = var("DIB_EXTLINUX", "0");
        if (!extlinux.isEmpty() && !extlinux.equals("0")) {
            extlinux(table, bootFs, bootPrefix, kernels, cmdline);
        } else {
            grub(table, bootFs, bootPrefix, kernels, cmdline, serial);
        }
    }

    private Optional<FileSystem> fsAt(String mountPoint) {
        for (Mount m : layout.mounts()) {
            if (m.mountPoint().equals(mountPoint)) {
                return Optional.ofNullable(layout.fileSystems().get(m.fileSystem()));
            }
        }
        return Optional.empty();
    }

    private String serialConsole() {
        String s = var("DIB_BOOTLOADER_SERIAL_CONSOLE", "");
        if (!s.isEmpty()) {
            return s;
        }
        if (arch.startsWith("ppc") || arch.equals("powerpc")) {
            return "hvc0";
        }
        return arch.equals("arm64") || arch.equals("aarch64") ? "ttyAMA0,115200" : "ttyS0,115200";
    }

    /** @return the kernels of /boot, newest first */
    List<Kernel> kernels() throws BuildException {
        Path boot = sb.host(root).resolve("boot");
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(boot)) {
            try (Stream<Path> s = Files.list(boot)) {
                s.forEach(p -> names.add(p.getFileName().toString()));
            } catch (IOException e) {
                throw new BuildException("bootloader: cannot list /boot: " + Messages.describe(e), e);
            }
        }
        List<Kernel> out = new ArrayList<>();
        for (String n : names) {
            Matcher m = KERNEL.matcher(n);
            if (!m.matches() || n.endsWith(".sig") || n.endsWith(".old") || n.endsWith(".efi.signed")
                    || !Files.isRegularFile(boot.resolve(n))) {
                continue;
            }
            String v = m.group(1);
            String initrd = null;
            for (String c : List.of("initrd.img-" + v, "initrd-" + v + ".img", "initramfs-" + v + ".img",
                    "initrd-" + v, "initramfs-" + v)) {
                if (names.contains(c)) {
                    initrd = c;
                    break;
                }
            }
            out.add(new Kernel(n, v, initrd));
        }
        out.sort((a, b) -> KernelSelector.VERSION_ORDER.compare(b.version(), a.version()));
        return out;
    }

    private String title() {
        Path osRelease = sb.host(root).resolve("etc/os-release");
        try {
            if (Files.isRegularFile(osRelease)) {
                for (String line : Files.readAllLines(osRelease, StandardCharsets.UTF_8)) {
                    if (line.startsWith("PRETTY_NAME=")) {
                        return line.substring(12).replace("\"", "").replace("'", "");
                    }
                }
            }
        } catch (IOException e) {
            // the default below
        }
        return "Linux";
    }

    // ---------------------------------------------------------------- GRUB

    private void grub(PartitionReader.Table table, FileSystem bootFs, String bootPrefix, List<Kernel> kernels,
            String cmdline, String serial) throws BuildException {
        String grubDir = Files.isDirectory(sb.host(root).resolve("boot/grub2"), LinkOption.NOFOLLOW_LINKS) ? "grub2"
                : "grub";
        String prefix = bootPrefix + "/" + grubDir;
        Optional<PartitionReader.Partition> bsp = table.partitions().stream()
                .filter(PartitionReader.Partition::biosBoot).findFirst();
        Optional<Path> esp = espDirectory();
        List<String> done = new ArrayList<>();
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("i386");
        if (x86 && (table.kind() == PartitionReader.Kind.MBR || bsp.isPresent())) {
            biosGrub(table, bsp, bootFs, prefix);
            done.add("BIOS (i386-pc)");
        }
        if (esp.isPresent()) {
            String platform;
            String file;
            switch (arch) {
                case "amd64", "x86_64" -> {
                    platform = "x86_64-efi";
                    file = "BOOTX64.EFI";
                }
                case "arm64", "aarch64" -> {
                    platform = "arm64-efi";
                    file = "BOOTAA64.EFI";
                }
                case "i386" -> {
                    platform = "i386-efi";
                    file = "BOOTIA32.EFI";
                }
                default -> throw new BuildException("bootloader: no UEFI GRUB platform for ARCH " + arch);
            }
            Path removable = esp.get().resolve("EFI/BOOT").resolve(file);
            if (Files.exists(sb.host(removable), LinkOption.NOFOLLOW_LINKS)) {
                // the distribution put its own (signed) loader on the removable path
                done.add("UEFI (the image's own EFI/BOOT/" + file + " kept)");
            } else {
                efiGrub(platform, removable, bootFs, prefix);
                done.add("UEFI (" + platform + ", EFI/BOOT/" + file + ")");
            }
        }
        if (done.isEmpty()) {
            throw new BuildException("bootloader: nowhere to install GRUB for ARCH " + arch + ": the "
                    + table.kind() + " disk has no BIOS boot partition (EF02) and no EFI system partition mounted"
                    + " at /boot/efi");
        }
        String cfg = writeGrubConfig(prefix, bootFs, bootPrefix, kernels, cmdline, serial);
        if (esp.isPresent()) {
            distributionEfiConfig(esp.get(), cfg);
        }
        log.accept("bootloader: GRUB installed for " + String.join(" and ", done) + ", config " + prefix
                + "/grub.cfg");
    }

    /** @return the ESP's directory under the mount base, when a FAT file system is mounted at /boot/efi */
    private Optional<Path> espDirectory() {
        for (Mount m : layout.mounts()) {
            FileSystem fs = layout.fileSystems().get(m.fileSystem());
            if (m.mountPoint().equals("/boot/efi") && fs != null && fs.isFat() && m.path() != null) {
                return Optional.of(m.path());
            }
        }
        return Optional.empty();
    }

    /** How to run grub-mkimage for a platform: the image's own GRUB when it has one, else the host's. */
    private record Mkimage(String tool, String dir, boolean inTarget) {
    }

    private Mkimage mkimage(String platform) throws BuildException {
        Path hostRoot = sb.host(root);
        String dir = "/usr/lib/grub/" + platform;
        if (Files.isDirectory(hostRoot.resolve(dir.substring(1)))) {
            for (String tool : List.of("grub-mkimage", "grub2-mkimage")) {
                if (Files.isExecutable(hostRoot.resolve("usr/bin/" + tool))) {
                    return new Mkimage(tool, dir, true);
                }
            }
        }
        if (Files.isDirectory(Path.of(dir)) && Tools.exists("grub-mkimage")) {
            return new Mkimage("grub-mkimage", dir, false);
        }
        throw new BuildException("bootloader: GRUB for " + platform + " is neither in the image nor on the build host"
                + " (install grub-" + (platform.equals("i386-pc") ? "pc" : "efi-" + platform.split("-")[0]) + "-bin)");
    }

    /**
     * Runs grub-mkimage and returns the image (a namespace path under the mount base when
     * built in the image, else {@code out}).
     */
    private Path buildImage(String platform, Path out, FileSystem bootFs, String prefix) throws BuildException {
        Mkimage m = mkimage(platform);
        String early = "search --no-floppy --label " + bootFs.label() + " --set=root\nset prefix=($root)" + prefix
                + "\n";
        List<String> mods = new ArrayList<>();
        Path modDir = m.inTarget() ? sb.host(root).resolve(m.dir().substring(1)) : Path.of(m.dir());
        for (String mod : platform.equals("i386-pc") ? withBiosDisk() : MODULES) {
            if (Files.exists(modDir.resolve(mod + ".mod"))) {
                mods.add(mod);
            }
        }
        Path work = m.inTarget() ? Path.of("/tmp") : layout.workDir();
        Path earlyFile = work.resolve("dib-grub-early-" + platform + ".cfg");
        Path earlyHost = m.inTarget() ? sb.host(root).resolve(earlyFile.toString().substring(1)) : sb.host(earlyFile);
        Path target = out;
        if (m.inTarget()) {
            String rel = root.relativize(out).toString();
            target = Path.of("/").resolve(rel);
        }
        try {
            Files.createDirectories(earlyHost.getParent());
            Files.writeString(earlyHost, early, StandardCharsets.UTF_8);
            List<String> argv = new ArrayList<>(List.of(m.tool(), "-O", platform, "-d", m.dir(), "-o",
                    target.toString(), "-c", earlyFile.toString(), "-p", prefix));
            argv.addAll(mods);
            Exec exec = Exec.of(argv).quiet();
            if (m.inTarget()) {
                exec.chroot(root);
            }
            log.accept("bootloader: " + (m.inTarget() ? "(in the image) " : "") + String.join(" ", argv));
            Cmd.run(sb, "bootloader: grub-mkimage for " + platform, exec);
        } catch (IOException e) {
            throw new BuildException("bootloader: cannot write " + earlyFile + ": " + Messages.describe(e), e);
        } finally {
            try {
                Files.deleteIfExists(earlyHost);
            } catch (IOException e) {
                log.accept("WARNING: cannot remove " + earlyHost);
            }
        }
        return out;
    }

    private static List<String> withBiosDisk() {
        List<String> l = new ArrayList<>(List.of("biosdisk"));
        l.addAll(MODULES);
        return l;
    }

    private void biosGrub(PartitionReader.Table table, Optional<PartitionReader.Partition> bsp, FileSystem bootFs,
            String prefix) throws BuildException {
        if (table.sectorSize() != 512) {
            throw new BuildException("bootloader: BIOS booting needs 512-byte sectors, the image has "
                    + table.sectorSize());
        }
        Path coreFile = mkimageOutput("core-i386-pc.img");
        byte[] core;
        try {
            buildImage("i386-pc", coreFile, bootFs, prefix);
            core = Files.readAllBytes(sb.host(coreFile));
            Path bootImg = mkimage("i386-pc").inTarget() ? sb.host(root).resolve("usr/lib/grub/i386-pc/boot.img")
                    : Path.of("/usr/lib/grub/i386-pc/boot.img");
            byte[] boot = Files.readAllBytes(bootImg);
            long sectors = (core.length + 511) / 512;
            long first;
            long room;
            if (bsp.isPresent()) {
                first = bsp.get().start() / 512;
                room = bsp.get().size() / 512;
            } else {
                first = 1;
                room = table.partitions().stream().mapToLong(p -> p.start() / 512).min().orElse(1) - 1;
            }
            if (sectors > room) {
                throw new BuildException("bootloader: GRUB's core image (" + sectors + " sectors) does not fit into "
                        + (bsp.isPresent() ? "the BIOS boot partition" : "the gap before the first partition") + " ("
                        + room + " sectors)");
            }
            // diskboot.img's block list (the last 12 bytes of the first sector): the rest follows
            ByteBuffer.wrap(core).order(ByteOrder.LITTLE_ENDIAN).putLong(512 - 12, first + 1);
            try (FileChannel ch = FileChannel.open(sb.host(layout.rawImage()), StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                ByteBuffer mbr = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(mbr, 0);
                byte[] old = mbr.array();
                byte[] neu = boot.clone();
                // keep the BIOS parameter block and the disk id, partition table and signature
                System.arraycopy(old, 0x03, neu, 0x03, 0x5a - 0x03);
                System.arraycopy(old, 0x1b8, neu, 0x1b8, 0x200 - 0x1b8);
                ByteBuffer nb = ByteBuffer.wrap(neu).order(ByteOrder.LITTLE_ENDIAN);
                nb.putLong(0x5c, first);
                // a hard disk: skip the check for BIOSes that pass a bad boot drive
                nb.put(0x66, (byte) 0x90);
                nb.put(0x67, (byte) 0x90);
                write(ch, core, first * 512);
                write(ch, neu, 0);
                ch.force(false);
            }
        } catch (IOException e) {
            throw new BuildException("bootloader: cannot install GRUB's BIOS boot code: " + Messages.describe(e), e);
        } finally {
            Cmd.bestEffort(sb, "rm", "-f", coreFile.toString());
        }
        log.accept("bootloader: BIOS boot code in the MBR, core image at sector " + (bsp.isPresent()
                ? bsp.get().start() / 512 + " (BIOS boot partition)" : "1"));
    }

    private Path mkimageOutput(String name) throws BuildException {
        if (mkimage("i386-pc").inTarget()) {
            return root.resolve("tmp").resolve("dib-" + name);
        }
        return layout.workDir().resolve(name);
    }

    private static void write(FileChannel ch, byte[] data, long pos) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        long p = pos;
        while (b.hasRemaining()) {
            p += ch.write(b, p);
        }
    }

    private void efiGrub(String platform, Path file, FileSystem bootFs, String prefix) throws BuildException {
        Cmd.quiet(sb, "bootloader", "mkdir", "-p", file.getParent().toString());
        buildImage(platform, file, bootFs, prefix);
    }

    /**
     * As upstream: where the image has a distribution directory on the ESP
     * ({@code /boot/efi/$EFI_BOOT_DIR}, for its signed GRUB), the configuration goes there too.
     */
    private void distributionEfiConfig(Path esp, String cfg) throws BuildException {
        String dir = var("EFI_BOOT_DIR", "");
        if (dir.isEmpty() || dir.contains("..")) {
            return;
        }
        Path d = sb.host(esp).resolve(dir);
        if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
            log.accept("WARNING: bootloader: /boot/efi/" + dir + " does not exist, UEFI secure boot not supported");
            return;
        }
        try {
            Files.writeString(d.resolve("grub.cfg"), cfg, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BuildException("bootloader: cannot write /boot/efi/" + dir + "/grub.cfg: " + Messages.describe(e),
                    e);
        }
    }

    /** Writes grub.cfg and /etc/default/grub; returns grub.cfg's text. */
    private String writeGrubConfig(String prefix, FileSystem bootFs, String bootPrefix, List<Kernel> kernels,
            String cmdline, String serial) throws BuildException {
        String timeout = var("DIB_GRUB_TIMEOUT", "5");
        StringBuilder b = new StringBuilder();
        b.append("# Written by dib's bootloader element: file systems are found by label.\n");
        b.append("set default=0\nset timeout=").append(timeout).append('\n');
        Matcher sm = Pattern.compile("ttyS(\\d+)(?:,(\\d+))?").matcher(serial);
        if (sm.matches()) {
            b.append("serial --speed=").append(sm.group(2) == null ? "115200" : sm.group(2)).append(" --unit=")
                    .append(sm.group(1)).append(" --word=8 --parity=no --stop=1\n");
            b.append("terminal_input serial console\nterminal_output serial console\n");
        }
        b.append("search --no-floppy --label ").append(bootFs.label()).append(" --set=root\n");
        String title = title();
        for (Kernel k : kernels) {
            b.append("\nmenuentry '").append(title.replace("'", "")).append(", Linux ").append(k.version())
                    .append("' {\n");
            b.append("\tsearch --no-floppy --label ").append(bootFs.label()).append(" --set=root\n");
            b.append("\tlinux ").append(bootPrefix).append('/').append(k.file()).append(' ').append(cmdline)
                    .append('\n');
            if (k.initrd() != null) {
                b.append("\tinitrd ").append(bootPrefix).append('/').append(k.initrd()).append('\n');
            }
            b.append("}\n");
        }
        Path hostRoot = sb.host(root);
        Path cfg = hostRoot.resolve("boot").resolve(grubDir(prefix)).resolve("grub.cfg");
        StringBuilder d = new StringBuilder("\n# Added by dib's bootloader element\n");
        d.append("GRUB_DEVICE=LABEL=").append(rootLabel()).append('\n');
        d.append("GRUB_DISABLE_LINUX_UUID=true\nGRUB_TIMEOUT=").append(timeout).append('\n');
        d.append("GRUB_TERMINAL=\"serial console\"\nGRUB_GFXPAYLOAD_LINUX=auto\n");
        d.append("GRUB_CMDLINE_LINUX_DEFAULT=\"").append(cmdline.substring(cmdline.indexOf(" ro ") + 4)).append("\"\n");
        d.append("GRUB_SERIAL_COMMAND=\"serial --speed=115200 --unit=0 --word=8 --parity=no --stop=1\"\n");
        try {
            Files.createDirectories(cfg.getParent());
            Files.writeString(cfg, b.toString(), StandardCharsets.UTF_8);
            Path dflt = hostRoot.resolve("etc/default/grub");
            if (!Files.isSymbolicLink(dflt)) {
                Files.createDirectories(dflt.getParent());
                Files.writeString(dflt, d.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            throw new BuildException("bootloader: cannot write " + cfg + ": " + Messages.describe(e), e);
        }
        return b.toString();
    }

    private static String grubDir(String prefix) {
        return prefix.substring(prefix.lastIndexOf('/') + 1);
    }

    private String rootLabel() {
        return fsAt("/").map(FileSystem::label).orElse("");
    }

    // ---------------------------------------------------------------- extlinux

    private void extlinux(PartitionReader.Table table, FileSystem bootFs, String bootPrefix, List<Kernel> kernels,
            String cmdline) throws BuildException {
        if (!Tools.exists("extlinux")) {
            throw new BuildException("bootloader: DIB_EXTLINUX is set but extlinux is not installed on the build host");
        }
        if (bootFs.isFat()) {
            throw new BuildException("bootloader: extlinux cannot be installed on the FAT file system of /boot");
        }
        Path mbrBin = null;
        String name = table.kind() == PartitionReader.Kind.GPT ? "gptmbr.bin" : "mbr.bin";
        for (String d : List.of("/usr/lib/EXTLINUX", "/usr/lib/syslinux/mbr", "/usr/share/syslinux")) {
            if (Files.isRegularFile(Path.of(d, name))) {
                mbrBin = Path.of(d, name);
                break;
            }
        }
        if (mbrBin == null) {
            throw new BuildException("bootloader: extlinux's " + name + " is not installed on the build host");
        }
        Path dir = root.resolve("boot/extlinux");
        Cmd.quiet(sb, "bootloader", "mkdir", "-p", dir.toString());
        StringBuilder c = new StringBuilder(
                "# Written by dib's bootloader element: file systems are found by label.\n");
        int timeout = 50;
        try {
            timeout = Integer.parseInt(var("DIB_GRUB_TIMEOUT", "5").strip()) * 10;
        } catch (NumberFormatException e) {
            // default
        }
        c.append("DEFAULT linux0\nPROMPT 0\nTIMEOUT ").append(Math.max(timeout, 1)).append('\n');
        if (cmdline.contains("console=ttyS0")) {
            c.append("SERIAL 0 115200\n");
        }
        for (int i = 0; i < kernels.size(); i++) {
            Kernel k = kernels.get(i);
            c.append("\nLABEL linux").append(i).append("\n\tMENU LABEL Linux ").append(k.version()).append('\n');
            c.append("\tLINUX ").append(bootPrefix).append('/').append(k.file()).append('\n');
            if (k.initrd() != null) {
                c.append("\tINITRD ").append(bootPrefix).append('/').append(k.initrd()).append('\n');
            }
            c.append("\tAPPEND ").append(cmdline).append('\n');
        }
        try {
            Files.writeString(sb.host(dir).resolve("extlinux.conf"), c.toString(), StandardCharsets.UTF_8);
            Cmd.quiet(sb, "bootloader: extlinux --install", "extlinux", "--install", dir.toString());
            byte[] code = Files.readAllBytes(mbrBin);
            try (FileChannel ch = FileChannel.open(sb.host(layout.rawImage()), StandardOpenOption.WRITE)) {
                write(ch, java.util.Arrays.copyOf(code, Math.min(code.length, 440)), 0);
                ch.force(false);
            }
        } catch (IOException e) {
            throw new BuildException("bootloader: cannot install extlinux: " + Messages.describe(e), e);
        }
        log.accept("bootloader: extlinux installed in /boot/extlinux, " + name + " in the MBR");
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dib.core.archive.ArchiveException;
import dib.core.archive.ExtractOptions;

/**
 * Extracts one tar archive into a directory, refusing entries that would land outside it.
 *
 * <p>The rules, checked before anything is written for an entry:
 * <ul>
 * <li>a name that is absolute or has a {@code ..} component is refused;</li>
 * <li>every parent directory of an entry must be a real directory: a symbolic link on the way
 * (planted by an earlier entry or already in the target) is refused, so nothing is ever
 * written through a link;</li>
 * <li>a hard link must name an existing non-directory inside the target by the same rules;</li>
 * <li>an existing file at an entry's name is removed first (never written through); an
 * existing directory is only replaced when empty;</li>
 * <li>a file whose size (for a sparse file, its apparent size) exceeds the free space of the
 * target's file system minus the reserve is refused, and the free space is checked again as
 * data is written.</li>
 * </ul>
 * Device nodes and FIFOs are created by {@code mknod}, extended attributes by
 * {@code setfattr}, both in batches at the end (run in the sandbox); until then a device's
 * name holds an empty placeholder file, which keeps its parent directories non-empty and so
 * impossible to replace by a link. Directory modes and times are set last.
 */
public final class TarExtractor {
    private static final int CHUNK = 1 << 18;
    private static final long RECHECK_BYTES = 256L << 20;
    private static final long BIG_ENTRY = 16L << 20;
    /** the JVM's effective uid and gid are both 0: what it creates is root:root */
    private static final boolean ROOT_ROOT = effectiveIds().equals("0:0");

    /** A device node or FIFO created at the end. */
    private record Special(TarEntry entry) {
    }

    private final String archiveName;
    private final Path archiveJvm;
    private final Path target;
    private final Path root;
    private final Commands commands;
    private final ExtractOptions options;

    private final Set<String> knownDirs = new HashSet<>();
    /** directories this extraction created (no set-gid bit until the end, see finishDirectories) */
    private final Set<String> createdDirs = new HashSet<>();
    private final Set<String> plantedLinks = new HashSet<>();
    private final Map<String, Special> specials = new LinkedHashMap<>();
    private final Map<String, Map<String, byte[]>> xattrs = new LinkedHashMap<>();
    private final Map<String, TarEntry> directories = new HashMap<>();
    private long usable = -1;
    private long sinceCheck;
    private long entries;
    private long bytes;

    /**
     * @param archive the archive, as the commands see it (a namespace path with a sandbox)
     * @param target  the directory to extract into, as the commands see it
     * @param options options
     */
    public TarExtractor(Path archive, Path target, ExtractOptions options) {
        this.options = options;
        this.commands = new Commands(options.sandbox(), options.log());
        this.archiveName = archive.toString();
        this.archiveJvm = commands.jvm(archive);
        this.target = target;
        this.root = commands.jvm(target);
    }

    /** @return {entries, bytes written} */
    public long[] run() throws ArchiveException, InterruptedException {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new ArchiveException(archiveName, null, "cannot create the target " + target + ": " + e.getMessage(), e);
        }
        knownDirs.add("");
        Decompressor.Source src;
        try {
            src = Decompressor.open(archiveJvm);
        } catch (IOException e) {
            throw new ArchiveException(archiveName, null, "cannot read " + archiveName + ": " + e.getMessage(), e);
        }
        String current = null;
        try (src) {
            TarReader reader = new TarReader(src);
            TarEntry e;
            while (true) {
                current = null;
                e = reader.next();
                if (e == null) {
                    break;
                }
                current = e.name();
                if (options.cancelled().getAsBoolean()) {
                    throw new ArchiveException(archiveName, null, "extraction of " + archiveName + " cancelled", null);
                }
                try {
                    extract(e, reader.data());
                } catch (java.nio.file.InvalidPathException ex) {
                    throw new IOException("the name cannot be represented in this JVM's file name encoding ("
                            + System.getProperty("sun.jnu.encoding") + "); run dib with a UTF-8 locale (LANG=C.UTF-8)");
                }
                entries++;
            }
            current = null;
            src.finish();
        } catch (Refused r) {
            throw new ArchiveException(archiveName, r.entry, archiveName + ": refusing entry '" + r.entry + "': "
                    + r.getMessage() + "; nothing was written outside " + target, null);
        } catch (IOException ex) {
            throw new ArchiveException(archiveName, current, archiveName
                    + (current == null ? "" : ": entry '" + current + "'") + ": " + describe(ex), ex);
        }
        try {
            finishSpecials();
            finishXattrs();
            finishDirectories();
        } catch (IOException ex) {
            throw new ArchiveException(archiveName, null, archiveName + ": " + describe(ex), ex);
        }
        return new long[] {entries, bytes};
    }

    /** One line for an I/O error, naming files as the build sees them (not through /proc). */
    private String describe(IOException e) {
        String m;
        if (e instanceof java.nio.file.FileSystemException) {
            java.nio.file.FileSystemException f = (java.nio.file.FileSystemException) e;
            String why = f.getReason() != null ? f.getReason()
                    : e instanceof NoSuchFileException ? "no such file or directory"
                    : e instanceof FileAlreadyExistsException ? "already exists"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e.getClass().getSimpleName();
            m = (f.getFile() == null ? "" : f.getFile() + ": ") + why;
        } else {
            m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        return root.equals(target) ? m : m.replace(root.toString(), target.toString());
    }

    /** An entry that must not be extracted. */
    private static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;
        final String entry;

        Refused(String entry, String why) {
            super(why);
            this.entry = entry;
        }
    }

    private void extract(TarEntry e, InputStream data) throws IOException, InterruptedException {
        String rel = relative(e.name(), e.name());
        if (rel.isEmpty()) {
            // the archive's "./": the target itself
            if (e.kind() == TarEntry.Kind.DIRECTORY) {
                owner(root, e, false);
                directories.put("", e);
                keepXattrs("", e);
                return;
            }
            throw new Refused(e.name(), "it names the target directory itself");
        }
        parents(e.name(), rel);
        Path p = root.resolve(rel);
        switch (e.kind()) {
            case DIRECTORY:
                directory(e, rel, p);
                break;
            case FILE:
                file(e, rel, p, data);
                break;
            case SYMLINK:
                symlink(e, rel, p);
                break;
            case HARDLINK:
                hardlink(e, rel, p);
                break;
            default:
                special(e, rel, p);
                break;
        }
    }

    /**
     * @return the entry's path relative to the target, components joined by '/', "" for the
     *         target itself
     */
    private static String relative(String name, String entry) throws Refused {
        if (name.startsWith("/")) {
            throw new Refused(entry, "its name is absolute");
        }
        StringBuilder b = new StringBuilder();
        for (String c : name.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                throw new Refused(entry, "its name leaves the target (..)");
            }
            if (b.length() > 0) {
                b.append('/');
            }
            b.append(c);
        }
        return b.toString();
    }

    /** Makes sure every parent of {@code rel} is a real directory, creating missing ones. */
    private void parents(String entry, String rel) throws IOException {
        int slash = rel.lastIndexOf('/');
        if (slash < 0 || knownDirs.contains(rel.substring(0, slash))) {
            return;
        }
        int from = 0;
        while ((slash = rel.indexOf('/', from)) >= 0) {
            String dir = rel.substring(0, slash);
            from = slash + 1;
            if (knownDirs.contains(dir)) {
                continue;
            }
            Path p = root.resolve(dir);
            BasicFileAttributes a = lstat(p);
            if (a == null) {
                Files.createDirectory(p);
                Files.setAttribute(p, "unix:mode", 0755, LinkOption.NOFOLLOW_LINKS);
                createdDirs.add(dir);
            } else if (a.isSymbolicLink()) {
                throw new Refused(entry, "its parent '" + dir + "' is a symbolic link "
                        + (plantedLinks.contains(dir) ? "planted by an earlier entry" : "already in the target"));
            } else if (!a.isDirectory()) {
                throw new Refused(entry, "its parent '" + dir + "' is not a directory");
            }
            knownDirs.add(dir);
        }
    }

    /** Removes whatever is at {@code p} so that a new entry can take the name. */
    private void clear(String entry, String rel, Path p) throws IOException {
        BasicFileAttributes a = lstat(p);
        if (a == null) {
            return;
        }
        try {
            Files.delete(p);
        } catch (DirectoryNotEmptyException ex) {
            throw new Refused(entry, "it would replace the non-empty directory '" + rel + "'");
        }
        knownDirs.remove(rel);
        createdDirs.remove(rel);
        plantedLinks.remove(rel);
        specials.remove(rel);
        xattrs.remove(rel);
        directories.remove(rel);
    }

    private void directory(TarEntry e, String rel, Path p) throws IOException {
        boolean created = true;
        try {
            // the common case first: a new directory, no lookup (and no exception) before
            Files.createDirectory(p);
        } catch (FileAlreadyExistsException ex) {
            BasicFileAttributes a = lstat(p);
            created = a == null || !a.isDirectory() || a.isSymbolicLink();
            if (created) {
                clear(e.name(), rel, p);
                Files.createDirectory(p);
            }
        }
        if (created) {
            Files.setAttribute(p, "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
            createdDirs.add(rel);
        }
        knownDirs.add(rel);
        owner(p, e, created && inCreatedDir(rel));
        directories.put(rel, e);
        keepXattrs(rel, e);
    }

    private void file(TarEntry e, String rel, Path p, InputStream data) throws IOException, InterruptedException {
        long claim = e.sparse() != null ? e.realSize() : e.dataSize();
        space(e, claim);
        try (SeekableByteChannel ch = create(e, rel, p)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(e.dataSize(), 1)));
            if (e.sparse() == null) {
                copy(data, ch, e.dataSize(), buf);
            } else {
                long[] map = e.sparse();
                for (int i = 0; i < map.length; i += 2) {
                    ch.position(map[i]);
                    copy(data, ch, map[i + 1], buf);
                }
                if (ch.size() < e.realSize()) {
                    // end with a hole: extend the file by writing its last byte
                    ch.position(e.realSize() - 1);
                    ch.write(ByteBuffer.wrap(new byte[1]));
                }
            }
        }
        bytes += e.dataSize();
        sinceCheck += e.dataSize();
        owner(p, e, inCreatedDir(rel));
        Files.setAttribute(p, "unix:mode", e.mode(), LinkOption.NOFOLLOW_LINKS);
        times(p, e);
        keepXattrs(rel, e);
    }

    /** Creates a new file (O_EXCL, O_NOFOLLOW), removing what has the name first if needed. */
    private SeekableByteChannel create(TarEntry e, String rel, Path p) throws IOException {
        try {
            return Files.newByteChannel(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
        } catch (FileAlreadyExistsException ex) {
            // something (a file, a link, an empty directory) has the name: it goes first
            clear(e.name(), rel, p);
        }
        try {
            return Files.newByteChannel(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
        } catch (FileAlreadyExistsException again) {
            throw new Refused(e.name(), "'" + rel + "' appeared while extracting");
        }
    }

    private static void copy(InputStream in, SeekableByteChannel ch, long n, ByteBuffer buf) throws IOException {
        long left = n;
        while (left > 0) {
            buf.clear();
            int want = (int) Math.min(buf.capacity(), left);
            int r = in.read(buf.array(), 0, want);
            if (r < 0) {
                throw new TarReader.FormatException("the archive is truncated");
            }
            buf.limit(r);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            left -= r;
        }
    }

    /** Refuses an entry the target's file system cannot hold. */
    private void space(TarEntry e, long claim) throws IOException, InterruptedException {
        if (usable < 0 || claim > BIG_ENTRY || sinceCheck > RECHECK_BYTES) {
            usable = usableSpace();
            sinceCheck = 0;
        }
        long room = usable - sinceCheck - options.reserve();
        if (claim > room) {
            throw new Refused(e.name(), (e.sparse() != null ? "it is a sparse file claiming " : "it claims ") + claim
                    + " bytes, more than the " + Math.max(room, 0) + " bytes free on " + target
                    + " (keeping " + options.reserve() + " in reserve)");
        }
    }

    /**
     * @return the bytes available on the target's file system. Asked with {@code stat -f} where
     *         the target lives (the sandbox): the JVM's own mount table does not know the
     *         build's mounts, so {@code Files.getFileStore} fails on them.
     */
    private long usableSpace() throws IOException, InterruptedException {
        String[] f = commands.check("stat", "-f", "-c", "%a %S", target.toString()).strip().split("\\s+");
        try {
            return Math.multiplyExact(Long.parseLong(f[0]), Long.parseLong(f[1]));
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException | ArithmeticException ex) {
            throw new IOException("cannot tell the free space of " + target + " from stat: " + String.join(" ", f));
        }
    }

    private void symlink(TarEntry e, String rel, Path p) throws IOException {
        if (e.linkName() == null) {
            throw new Refused(e.name(), "a symbolic link without a target");
        }
        Path to = p.getFileSystem().getPath(e.linkName());
        try {
            Files.createSymbolicLink(p, to);
        } catch (FileAlreadyExistsException ex) {
            clear(e.name(), rel, p);
            Files.createSymbolicLink(p, to);
        }
        plantedLinks.add(rel);
        owner(p, e, inCreatedDir(rel));
        times(p, e);
        keepXattrs(rel, e);
    }

    private void hardlink(TarEntry e, String rel, Path p) throws IOException {
        if (e.linkName() == null) {
            throw new Refused(e.name(), "a hard link without a target");
        }
        String to = relative(e.linkName(), e.name());
        if (to.equals(rel)) {
            return; // a link to itself: the file is already there
        }
        if (to.isEmpty()) {
            throw new Refused(e.name(), "a hard link to the target directory");
        }
        // the link's target must be reachable without following any symbolic link
        int from = 0;
        int slash;
        while ((slash = to.indexOf('/', from)) >= 0) {
            String dir = to.substring(0, slash);
            from = slash + 1;
            BasicFileAttributes a = lstat(root.resolve(dir));
            if (a == null || !a.isDirectory() || a.isSymbolicLink()) {
                throw new Refused(e.name(), "its hard link target '" + e.linkName() + "' is not inside the target"
                        + " (the parent '" + dir + "' is " + (a == null ? "missing" : a.isSymbolicLink()
                        ? "a symbolic link" : "not a directory") + ")");
            }
        }
        Path src = root.resolve(to);
        BasicFileAttributes a = lstat(src);
        if (a == null) {
            throw new Refused(e.name(), "its hard link target '" + e.linkName() + "' does not exist");
        }
        if (a.isDirectory()) {
            throw new Refused(e.name(), "it is a hard link to the directory '" + e.linkName() + "'");
        }
        clear(e.name(), rel, p);
        Special s = specials.get(to);
        if (s != null) {
            // its target is created at the end; make another node like it
            Files.createFile(p);
            specials.put(rel, s);
            return;
        }
        Files.createLink(p, src);
    }

    private void special(TarEntry e, String rel, Path p) throws IOException {
        clear(e.name(), rel, p);
        Files.createFile(p); // placeholder until mknod at the end
        specials.put(rel, new Special(e));
        keepXattrs(rel, e);
    }

    private void keepXattrs(String rel, TarEntry e) {
        Map<String, byte[]> keep = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
            String name = x.getKey();
            if (!options.xattrs().test(name)) {
                continue;
            }
            if (e.kind() == TarEntry.Kind.SYMLINK && name.startsWith("user.")) {
                continue; // Linux allows no user attributes on links
            }
            keep.put(name, x.getValue());
        }
        if (!keep.isEmpty()) {
            xattrs.put(rel, keep);
        }
    }

    /** @return "UID:GID" (effective) of this process, from /proc/self/status; "" if unknown */
    private static String effectiveIds() {
        try {
            String uid = "";
            String gid = "";
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                String[] f = l.split("\\s+");
                if (f[0].equals("Uid:") && f.length > 2) {
                    uid = f[2];
                } else if (f[0].equals("Gid:") && f.length > 2) {
                    gid = f[2];
                }
            }
            return uid + ":" + gid;
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * @return true when {@code rel}'s directory was created by this extraction: a new file
     *         there belongs to the extracting user and group (no set-gid parent yet)
     */
    private boolean inCreatedDir(String rel) {
        int slash = rel.lastIndexOf('/');
        return slash > 0 && createdDirs.contains(rel.substring(0, slash));
    }

    /**
     * Sets the numeric owner. A new file in a directory this extraction created already
     * belongs to root:root (the owner is only restored when the JVM runs as root), so most
     * of an OS tree costs no chown.
     */
    private void owner(Path p, TarEntry e, boolean fresh) throws IOException {
        if (options.owners() && !(fresh && ROOT_ROOT && e.uid() == 0 && e.gid() == 0)) {
            Files.setAttribute(p, "unix:uid", (int) e.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", (int) e.gid(), LinkOption.NOFOLLOW_LINKS);
        }
    }

    private static void times(Path p, TarEntry e) throws IOException {
        FileTime t = FileTime.from(TimeUnit.SECONDS.toNanos(e.mtime()) + e.mtimeNano(), TimeUnit.NANOSECONDS);
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(t, null, null);
    }

    private static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private String ns(String rel) {
        return rel.isEmpty() ? target.toString() : target.resolve(rel).toString();
    }

    private void finishSpecials() throws IOException, InterruptedException {
        if (specials.isEmpty()) {
            return;
        }
        List<String> words = new ArrayList<>();
        for (Map.Entry<String, Special> s : specials.entrySet()) {
            TarEntry e = s.getValue().entry();
            String type = e.kind() == TarEntry.Kind.CHARDEV ? "c" : e.kind() == TarEntry.Kind.BLOCKDEV ? "b" : "p";
            words.add(ns(s.getKey()));
            words.add(Integer.toOctalString(e.mode()));
            words.add(type);
            words.add(Integer.toString(e.devMajor()));
            words.add(Integer.toString(e.devMinor()));
            words.add(options.owners() ? e.uid() + ":" + e.gid() : "");
            words.add("@" + e.mtime() + "." + String.format("%09d", e.mtimeNano()));
        }
        commands.batch("mknod", "while [ $# -gt 0 ]; do "
                + "rm -f -- \"$1\" || exit 1; "
                + "if [ \"$3\" = p ]; then mknod -m \"$2\" -- \"$1\" p; else mknod -m \"$2\" -- \"$1\" \"$3\" \"$4\" \"$5\"; fi || exit 1; "
                + "if [ -n \"$6\" ]; then chown -h -- \"$6\" \"$1\" && chmod -- \"$2\" \"$1\" || exit 1; fi; "
                + "touch -h -m -d \"$7\" -- \"$1\" || exit 1; "
                + "shift 7; done", 7, words);
        // (times are set by touch: Java would open the node, and opening a FIFO blocks)
    }

    private void finishXattrs() throws IOException, InterruptedException {
        if (xattrs.isEmpty()) {
            return;
        }
        List<String> words = new ArrayList<>();
        for (Map.Entry<String, Map<String, byte[]>> f : xattrs.entrySet()) {
            for (Map.Entry<String, byte[]> x : f.getValue().entrySet()) {
                words.add(x.getKey());
                words.add(hex(x.getValue()));
                words.add(ns(f.getKey()));
            }
        }
        commands.batch("setfattr", "while [ $# -gt 0 ]; do setfattr -h -n \"$1\" -v \"$2\" \"$3\" || exit 1; shift 3; done",
                3, words);
    }

    private static String hex(byte[] v) {
        StringBuilder b = new StringBuilder(2 + v.length * 2).append("0x");
        for (byte x : v) {
            b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return v.length == 0 ? "\"\"" : b.toString();
    }

    private void finishDirectories() throws IOException {
        List<String> order = new ArrayList<>(directories.keySet());
        order.sort((a, b) -> Integer.compare(b.length(), a.length()));
        for (String rel : order) {
            TarEntry e = directories.get(rel);
            Path p = rel.isEmpty() ? root : root.resolve(rel);
            Files.setAttribute(p, "unix:mode", e.mode(), LinkOption.NOFOLLOW_LINKS);
            times(p, e);
        }
    }
}

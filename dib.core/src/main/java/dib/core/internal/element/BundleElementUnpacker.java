// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.element;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.logging.Logger;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.osgi.framework.Bundle;

import dib.core.element.ElementNames;
import dib.core.internal.io.FileTrees;
import dib.core.internal.io.Modes;

/**
 * Unpacks the element folder of a bundle into a directory that hooks can run from.
 *
 * <p><b>File modes.</b> Hooks are executed, so the execute bits matter. The archive's own
 * Unix mode of an entry is used when the archive can be opened (the bundle location is a
 * file or URL) and the entry records one (zip "version made by" Unix with non-zero mode
 * bits); Unix symlinks stored in the archive become symlinks. For entries that record no
 * mode the rule is: a file is executable (0755) when its content starts with {@code #!} or
 * is an ELF binary, otherwise 0644; directories are 0755. Every hook in upstream's format
 * starts with a shebang, so hooks still run, and data files stay non-executable.
 *
 * <p><b>Caching.</b> The directory is named after the bundle and a SHA-256 of the folder's
 * content and modes, written to a temporary name and renamed into place, so concurrent
 * processes and repeated starts reuse one copy and a half-written copy is never used.
 */
final class BundleElementUnpacker {
    private final Path root;

    record Result(Path directory, List<String> names, String problem) {
    }

    private record Entry(String path, byte[] data, int mode, boolean directory, String linkTarget) {
    }

    BundleElementUnpacker(Path root) {
        this.root = root;
    }

    Result unpack(Bundle bundle, String header) throws IOException {
        String folder = header.trim().replaceAll("^/+|/+$", "");
        if (folder.isEmpty() || folder.contains("..")) {
            return new Result(null, List.of(), "invalid DIB-Elements header '" + header + "'");
        }
        Enumeration<URL> urls = bundle.findEntries(folder, "*", true);
        if (urls == null) {
            return new Result(null, List.of(),
                    "its DIB-Elements folder '" + folder + "' does not exist in the bundle");
        }
        Map<String, Integer> archiveModes = archiveModes(bundle, folder);
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        String prefix = folder + "/";
        while (urls.hasMoreElements()) {
            URL u = urls.nextElement();
            String p = u.getPath();
            int i = p.indexOf(prefix);
            if (i < 0) {
                continue;
            }
            String rel = p.substring(i + prefix.length());
            if (rel.isEmpty()) {
                continue;
            }
            boolean dir = rel.endsWith("/");
            rel = rel.replaceAll("/+$", "");
            if (rel.isEmpty() || rel.contains("..") || rel.startsWith("/")) {
                continue;
            }
            String top = rel.split("/", 2)[0];
            if (!ElementNames.isValid(top) || top.startsWith(".")) {
                continue;
            }
            if (dir || rel.indexOf('/') < 0) {
                names.add(top);
            }
            Integer mode = archiveModes.get(rel);
            if (dir) {
                entries.add(new Entry(rel, new byte[0], mode == null ? 0755 : mode & 07777, true, null));
                continue;
            }
            byte[] data;
            try (InputStream in = u.openStream()) {
                data = in.readAllBytes();
            }
            if (mode != null && Modes.isSymlink(mode)) {
                entries.add(new Entry(rel, data, 0777, false, new String(data, StandardCharsets.UTF_8)));
            } else {
                int m = mode != null && (mode & 0777) != 0 ? mode & 07777 : Modes.guess(data);
                entries.add(new Entry(rel, data, m, false, null));
            }
        }
        // a top-level plain file is not an element
        names.removeIf(n -> entries.stream().noneMatch(e -> e.directory && e.path.equals(n))
                && entries.stream().noneMatch(e -> e.path.startsWith(n + "/")));
        if (names.isEmpty()) {
            return new Result(null, List.of(), "its DIB-Elements folder '" + folder + "' holds no element directories");
        }
        Collections.sort(entries, (a, b) -> a.path.compareTo(b.path));
        Path target = root.resolve(bundle.getSymbolicName() + "-" + bundle.getVersion() + "-" + digest(entries));
        if (!Files.isDirectory(target)) {
            write(entries, target);
        }
        return new Result(target, List.copyOf(names), null);
    }

    private void write(List<Entry> entries, Path target) throws IOException {
        Files.createDirectories(root);
        Path tmp = Files.createTempDirectory(root, ".unpack-");
        try {
            for (Entry e : entries) {
                Path p = tmp.resolve(e.path);
                if (e.directory) {
                    Files.createDirectories(p);
                    continue;
                }
                Files.createDirectories(p.getParent());
                if (e.linkTarget != null) {
                    Files.createSymbolicLink(p, Path.of(e.linkTarget));
                } else {
                    Files.write(p, e.data);
                    Files.setPosixFilePermissions(p, Modes.permissions(e.mode));
                }
            }
            for (Entry e : entries) {
                if (e.directory) {
                    Files.setPosixFilePermissions(tmp.resolve(e.path), Modes.permissions(e.mode | 0700));
                }
            }
            Files.setPosixFilePermissions(tmp, Modes.permissions(0755));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
                // another process unpacked the same content first
            }
        } finally {
            if (Files.exists(tmp)) {
                FileTrees.deleteRecursively(tmp);
            }
        }
    }

    private static String digest(List<Entry> entries) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Entry e : entries) {
                md.update(e.path.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(Integer.toString(e.mode + (e.directory ? 0100000 : 0) + (e.linkTarget != null ? 0200000 : 0))
                        .getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(e.data);
            }
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @return the Unix modes stored in the bundle's archive for entries below
     *         {@code folder}, by path relative to it; empty when the archive cannot be opened
     */
    private static Map<String, Integer> archiveModes(Bundle bundle, String folder) {
        Map<String, Integer> out = new TreeMap<>();
        String loc = bundle.getLocation();
        if (loc == null) {
            return out;
        }
        if (loc.startsWith("reference:")) {
            loc = loc.substring("reference:".length());
        }
        Path temp = null;
        try {
            Path archive;
            if (loc.startsWith("file:")) {
                archive = Path.of(URI.create(loc));
                if (Files.isDirectory(archive)) {
                    return directoryModes(archive.resolve(folder));
                }
            } else {
                temp = Files.createTempFile("dib-bundle-", ".jar");
                try (InputStream in = new URL(loc).openStream()) {
                    Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
                }
                archive = temp;
            }
            String prefix = folder + "/";
            try (ZipFile zip = ZipFile.builder().setPath(archive).get()) {
                for (Enumeration<ZipArchiveEntry> en = zip.getEntries(); en.hasMoreElements();) {
                    ZipArchiveEntry z = en.nextElement();
                    String n = z.getName();
                    if (n.startsWith(prefix) && z.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX
                            && z.getUnixMode() != 0) {
                        out.put(n.substring(prefix.length()).replaceAll("/+$", ""), z.getUnixMode());
                    }
                }
            }
        } catch (Exception unreadable) {
            // no modes from the archive (for example the bnd launcher's locations are paths
            // inside dib.jar): the content rule applies to every entry
            out.clear();
        } catch (LinkageError missing) {
            // commons-compress lacks an optional package (commons-lang3, to parse the Unix
            // extra fields Info-ZIP's zip writes): the bundle must still be accepted
            Logger.getLogger(BundleElementUnpacker.class.getName()).warning("bundle " + bundle.getSymbolicName()
                    + ": cannot read the file modes stored in " + loc + " (" + missing
                    + "); files starting with #! or ELF become executable, others not");
            out.clear();
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a temp file in the temp dir
                }
            }
        }
        return out;
    }

    private static Map<String, Integer> directoryModes(Path dir) throws IOException {
        Map<String, Integer> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (!p.equals(dir)) {
                    out.put(dir.relativize(p).toString(), Modes.of(p));
                }
            }
        }
        return out;
    }

    static Set<PosixFilePermission> perms(int mode) {
        return Modes.permissions(mode);
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.build;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import dib.core.build.BuildException;
import dib.core.element.Element;
import dib.core.element.ElementSet;

/**
 * The merged hooks tree of a build (upstream's {@code generate_hooks}) and the rules for
 * picking and ordering the hooks of a phase (upstream's {@code dib-run-parts}).
 *
 * <p>Assembly: for each element in expansion order, every first-level subdirectory except
 * {@code tests} and {@code __pycache__} (symlinks followed) is merged into the tree's
 * directory of the same name; a file that already exists there as a regular file is the
 * "duplicated hook" error naming both elements. First-level files (except {@code *.pyc})
 * are copied to the tree's top, later ones replacing earlier ones, as upstream.
 */
final class HookTree {
    static final Pattern HOOK_NAME = Pattern.compile("[0-9A-Za-z_-]+");
    static final Pattern ENV_NAME = Pattern.compile("[0-9A-Za-z_.-]+");

    private final Path host;
    /** relative path of every copied file to the element it came from */
    private final Map<String, String> owners = new ConcurrentHashMap<>();

    /** @param host the hooks directory, as the JVM reaches it */
    HookTree(Path host) {
        this.host = host;
    }

    /** Copies every element's files into the tree. */
    void assemble(ElementSet elements) throws BuildException {
        try {
            Files.createDirectories(host);
            for (Element e : elements.elements()) {
                List<Path> entries = sorted(e.path());
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (Files.isDirectory(entry)) {
                        if (name.equals("tests") || name.equals("__pycache__")) {
                            continue;
                        }
                        mergeDirectory(e, entry, name);
                    } else if (!name.endsWith(".pyc") && Files.exists(entry)) {
                        Files.copy(entry, host.resolve(name), StandardCopyOption.REPLACE_EXISTING,
                                StandardCopyOption.COPY_ATTRIBUTES);
                        owners.put(name, e.name());
                    }
                }
            }
        } catch (IOException ex) {
            throw new BuildException("cannot assemble the hooks tree: " + ex.getMessage(), ex);
        }
    }

    private void mergeDirectory(Element e, Path dir, String name) throws IOException, BuildException {
        Path target = host.resolve(name);
        Files.createDirectories(target);
        for (Path entry : sorted(dir)) {
            String child = entry.getFileName().toString();
            Path dest = target.resolve(child);
            String rel = name + "/" + child;
            if (Files.isRegularFile(dest, LinkOption.NOFOLLOW_LINKS)) {
                throw new BuildException("there is a duplicated hook in your elements: " + e.name() + "/" + rel
                        + " (" + e.origin() + ") and " + owners.getOrDefault(rel, "another element") + "/" + rel);
            }
            copyTree(entry, dest, rel, e.name());
        }
    }

    private void copyTree(Path src, Path dest, String rel, String element) throws IOException {
        if (Files.isSymbolicLink(src)) {
            Files.deleteIfExists(dest);
            Files.createSymbolicLink(dest, Files.readSymbolicLink(src));
            owners.put(rel, element);
        } else if (Files.isDirectory(src)) {
            if (!Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectory(dest);
                } catch (FileAlreadyExistsException e) {
                    Files.delete(dest);
                    Files.createDirectory(dest);
                }
            }
            for (Path c : sorted(src)) {
                String n = c.getFileName().toString();
                copyTree(c, dest.resolve(n), rel + "/" + n, element);
            }
        } else {
            Files.copy(src, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES,
                    LinkOption.NOFOLLOW_LINKS);
            owners.put(rel, element);
        }
    }

    private static List<Path> sorted(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(out::add);
        }
        out.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return out;
    }

    /** Records a file the engine itself put into the tree. */
    void own(String rel, String owner) {
        owners.put(rel, owner);
    }

    /**
     * @param rel a path relative to the tree
     * @return the element the file came from; for a symlink created later (install types),
     *         the owner of its target; else "(unknown)"
     */
    String owner(String rel) {
        String o = owners.get(rel);
        if (o != null) {
            return o;
        }
        Path p = host.resolve(rel);
        try {
            if (Files.isSymbolicLink(p)) {
                Path t = Files.readSymbolicLink(p);
                Path resolved = t.isAbsolute() ? null : p.getParent().resolve(t).normalize();
                if (resolved != null && resolved.startsWith(host)) {
                    return owner(host.relativize(resolved).toString());
                }
                if (t.isAbsolute()) {
                    String s = t.toString();
                    for (String k : owners.keySet()) {
                        if (s.endsWith("/" + k)) {
                            return owners.get(k);
                        }
                    }
                }
            }
        } catch (IOException ignored) {
            // unknown owner
        }
        return "(unknown)";
    }

    /**
     * The hooks of a phase directory, as dib-run-parts picks them: entries that are
     * regular files or symlinks to regular files, executable, with a name matching
     * {@code regex}, in {@code sort -n} order.
     *
     * @param dir     the phase directory name ({@code install.d})
     * @param regex   the name filter ({@code RUN_PARTS_REGEX} or the default)
     * @param nsHooks the tree's path inside the namespace, for absolute symlinks
     * @param toHost  translation of namespace paths
     */
    List<String> hooks(String dir, Pattern regex, Path nsHooks, java.util.function.Function<Path, Path> toHost)
            throws IOException {
        Path d = host.resolve(dir);
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(d)) {
            return out;
        }
        for (Path p : sorted(d)) {
            String n = p.getFileName().toString();
            if (!regex.matcher(n).matches()) {
                continue;
            }
            Path real = resolveLinks(p, toHost);
            if (real != null && Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS) && Files.isExecutable(real)) {
                out.add(n);
            }
        }
        out.sort(SORT_N);
        return out;
    }

    /** The environment.d files, as the runner sources them. */
    List<String> environmentFiles(java.util.function.Function<Path, Path> toHost) throws IOException {
        Path d = host.resolve("environment.d");
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(d)) {
            return out;
        }
        for (Path p : sorted(d)) {
            String n = p.getFileName().toString();
            Path real = resolveLinks(p, toHost);
            if (ENV_NAME.matcher(n).matches() && real != null && Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                out.add(n);
            }
        }
        out.sort(SORT_N);
        return out;
    }

    /** Follows symlinks, mapping absolute targets into the namespace; null when dangling or looping. */
    private static Path resolveLinks(Path p, java.util.function.Function<Path, Path> toHost) throws IOException {
        for (int i = 0; i < 40; i++) {
            if (!Files.isSymbolicLink(p)) {
                return Files.exists(p, LinkOption.NOFOLLOW_LINKS) ? p : null;
            }
            Path t = Files.readSymbolicLink(p);
            p = t.isAbsolute() ? toHost.apply(t) : p.getParent().resolve(t).normalize();
        }
        return null;
    }

    /**
     * {@code sort -n} in the C locale: the leading number (optional minus sign and digits;
     * none counts as 0), ties broken by byte order of the whole name.
     */
    static final Comparator<String> SORT_N = (a, b) -> {
        int c = Long.compare(leadingNumber(a), leadingNumber(b));
        return c != 0 ? c : compareBytes(a, b);
    };

    static long leadingNumber(String s) {
        int i = 0;
        boolean neg = false;
        if (i < s.length() && s.charAt(i) == '-') {
            neg = true;
            i++;
        }
        long v = 0;
        int digits = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
            v = v * 10 + (s.charAt(i) - '0');
            if (v > Long.MAX_VALUE / 20) {
                break;
            }
            i++;
            digits++;
        }
        if (digits == 0) {
            return 0;
        }
        return neg ? -v : v;
    }

    private static int compareBytes(String a, String b) {
        byte[] x = a.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] y = b.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return java.util.Arrays.compareUnsigned(x, y);
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.element;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * One element: a named directory on the local file system.
 *
 * <p>{@code element-deps} and {@code element-provides} are read on first use and then
 * remembered; a missing file is an empty set, blank lines are dropped and every other line
 * (after trimming) is a name, exactly as upstream diskimage-builder reads them. Instances
 * are immutable apart from that memo and safe to share between threads.
 *
 * @since 1.0
 */
public final class Element {
    private final String name;
    private final Path path;
    private final String origin;
    private volatile Set<String> deps;
    private volatile Set<String> provides;

    /**
     * @param name   the element name (validated with {@link ElementNames#check})
     * @param path   the element's directory
     * @param origin where the element comes from, for messages: a directory of
     *               {@code ELEMENTS_PATH} or a bundle ("bundle dib.core 1.0.0")
     */
    public Element(String name, Path path, String origin) {
        this.name = ElementNames.check(name, origin);
        this.path = Objects.requireNonNull(path, "path");
        this.origin = Objects.requireNonNull(origin, "origin");
    }

    /** @return the element name */
    public String name() {
        return name;
    }

    /** @return the element's directory */
    public Path path() {
        return path;
    }

    /** @return where the element was found, for humans: a directory or a bundle */
    public String origin() {
        return origin;
    }

    /**
     * @return the names in {@code element-deps}, in file order
     * @throws ElementException if the file exists but cannot be read, or holds an invalid name
     */
    public Set<String> dependencies() {
        Set<String> d = deps;
        if (d == null) {
            deps = d = readSet("element-deps");
        }
        return d;
    }

    /**
     * @return the names in {@code element-provides}, in file order
     * @throws ElementException if the file exists but cannot be read, or holds an invalid name
     */
    public Set<String> provides() {
        Set<String> p = provides;
        if (p == null) {
            provides = p = readSet("element-provides");
        }
        return p;
    }

    private Set<String> readSet(String file) {
        Path f = path.resolve(file);
        String text;
        try {
            text = Files.readString(f, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Set.of();
        } catch (AccessDeniedException e) {
            throw new ElementException(ElementException.Reason.UNREADABLE,
                    "cannot read " + f + " of element '" + name + "': permission denied");
        } catch (IOException e) {
            if (!Files.exists(f)) {
                return Set.of();
            }
            throw new ElementException(ElementException.Reason.UNREADABLE,
                    "cannot read " + f + " of element '" + name + "': " + describe(e));
        }
        Set<String> out = new LinkedHashSet<>();
        for (String line : text.split("\n")) {
            String s = line.strip();
            if (!s.isEmpty()) {
                out.add(ElementNames.check(s, f.toString()));
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /** The system's reason ("Is a directory"), without Java class names or a repeated path. */
    private static String describe(IOException e) {
        String m = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** @return "name (origin)" */
    @Override
    public String toString() {
        return name + " (" + origin + ")";
    }
}

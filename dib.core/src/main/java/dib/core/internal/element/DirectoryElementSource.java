// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.element;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import dib.core.element.Element;
import dib.core.element.ElementException;
import dib.core.element.ElementNames;
import dib.core.element.ElementSource;

/**
 * The elements of one directory: every subdirectory (symlinks followed) is an element named
 * after the entry. Upstream names a symlinked element after its target (a quirk); dib uses
 * the name the user sees in the directory. Entries whose names are not valid element names
 * (for example {@code __pycache__} is valid, {@code .git} is skipped because it starts with a
 * dot) are ignored rather than failing the whole directory.
 */
public final class DirectoryElementSource implements ElementSource {
    private final Path dir;
    private final String origin;
    private final Map<String, Element> elements;

    /**
     * Scans {@code dir} now.
     *
     * @param dir    the directory
     * @param origin how to name the directory in messages
     * @throws ElementException if {@code dir} is not a readable directory
     */
    public DirectoryElementSource(Path dir, String origin) {
        this.dir = dir;
        this.origin = origin;
        if (!Files.isDirectory(dir)) {
            throw new ElementException(ElementException.Reason.INVALID_PATH,
                    "ELEMENTS_PATH entry '" + dir + "' is not a directory");
        }
        Map<String, Element> m = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".") && ElementNames.isValid(name) && Files.isDirectory(p)) {
                    m.put(name, new Element(name, p, origin));
                }
            }
        } catch (IOException e) {
            throw new ElementException(ElementException.Reason.INVALID_PATH,
                    "ELEMENTS_PATH entry '" + dir + "' cannot be read: " + e.getMessage());
        }
        this.elements = Collections.unmodifiableMap(m);
    }

    /** @return the directory scanned */
    public Path directory() {
        return dir;
    }

    @Override
    public String origin() {
        return origin;
    }

    @Override
    public Map<String, Element> elements() {
        return elements;
    }
}

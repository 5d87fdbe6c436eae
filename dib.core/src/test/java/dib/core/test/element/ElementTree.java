// SPDX-License-Identifier: Apache-2.0
package dib.core.test.element;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dib.core.element.Catalog;
import dib.core.element.ElementSource;
import dib.core.internal.element.DirectoryElementSource;
import dib.core.internal.element.ElementRepositoryImpl;

/**
 * Writes element directories for tests: {@code tree.element("a").deps("b", "c").provides("x")}.
 * Each directory is one {@code ELEMENTS_PATH} entry.
 */
final class ElementTree {
    private final Path dir;

    ElementTree(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path dir() {
        return dir;
    }

    Fixture element(String name) {
        Path p = dir.resolve(name);
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Fixture(p);
    }

    /** An operating-system element, because every full expansion needs one. */
    ElementTree os(String name) {
        element(name).provides("operating-system");
        return this;
    }

    /** @return a catalog over these directories, in order, with no other sources */
    static Catalog catalog(Path... path) {
        return ElementRepositoryImpl.catalog(List.of(path), List.of());
    }

    /** @return a catalog over {@code path}, then {@code sources} (as registered services) */
    static Catalog catalog(List<Path> path, ElementSource... sources) {
        return ElementRepositoryImpl.catalog(path, List.of(sources));
    }

    /** @return a source standing for a bundle's unpacked elements */
    static ElementSource bundle(Path unpacked, String origin) {
        return new DirectoryElementSource(unpacked, origin);
    }

    record Fixture(Path path) {
        Fixture deps(String... names) {
            return write("element-deps", String.join("\n", names) + "\n");
        }

        Fixture provides(String... names) {
            return write("element-provides", String.join("\n", names) + "\n");
        }

        Fixture write(String file, String content) {
            try {
                Files.writeString(path.resolve(file), content);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }
    }
}

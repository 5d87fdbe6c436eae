// SPDX-License-Identifier: Apache-2.0
package dib.core.element;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The element model as a service: a consistent {@link Catalog} of every element visible for
 * a given {@code ELEMENTS_PATH}, combined from the path's directories and the registered
 * {@link ElementSource} services. Thread-safe.
 *
 * @since 1.0
 */
@ProviderType
public interface ElementRepository {

    /**
     * Takes a snapshot of the elements visible with {@code elementsPath}: the directories
     * in order ("first match wins"), then the registered sources. Later changes to the
     * sources (a bundle going away) do not affect a snapshot already taken.
     *
     * @param elementsPath the entries of {@code ELEMENTS_PATH}; may be empty
     * @return the snapshot
     * @throws ElementException with {@link ElementException.Reason#INVALID_PATH} if an entry
     *                          is not a directory
     */
    Catalog catalog(List<Path> elementsPath);

    /**
     * Splits a colon-separated {@code ELEMENTS_PATH} value. Empty entries are skipped, as a
     * trailing colon is common in scripts.
     *
     * @param value the variable's value, may be null
     * @return the entries in order
     */
    static List<Path> parsePath(String value) {
        List<Path> out = new ArrayList<>();
        if (value != null) {
            for (String s : value.split(":")) {
                if (!s.isBlank()) {
                    out.add(Path.of(s));
                }
            }
        }
        return out;
    }
}

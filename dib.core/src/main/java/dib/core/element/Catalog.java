// SPDX-License-Identifier: Apache-2.0
package dib.core.element;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An immutable snapshot of the elements visible for one {@code ELEMENTS_PATH}.
 *
 * @since 1.0
 */
@ProviderType
public interface Catalog {

    /** @return the winning element of every name, sorted by name */
    Map<String, Element> elements();

    /** @return elements hidden by an element of the same name found earlier, in search order */
    List<Element> shadowed();

    /** @return the origins consulted, in search order (directories, then bundles) */
    List<String> origins();

    /**
     * Expands {@code requested} through {@code element-deps} and {@code element-provides} as
     * upstream diskimage-builder does (see the README of dib.core for the exact rules and
     * the one deliberate difference).
     *
     * @param requested the element names asked for, in order
     * @return the expanded set
     * @throws ElementException if an element is missing, unreadable or invalid, if two
     *                          elements provide the same name, if a requested element is
     *                          provided by another, or if nothing provides
     *                          {@code operating-system}
     */
    ElementSet expand(List<String> requested);

    /**
     * Like {@link #expand(List)} but without the {@code operating-system} check, for tools
     * that inspect partial element sets.
     *
     * @param requested the element names asked for, in order
     * @param requireOperatingSystem whether a missing {@code operating-system} provider is an error
     * @return the expanded set
     */
    ElementSet expand(List<String> requested, boolean requireOperatingSystem);
}

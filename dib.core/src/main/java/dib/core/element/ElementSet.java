// SPDX-License-Identifier: Apache-2.0
package dib.core.element;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The result of expanding element dependencies: the elements of a build, in the order they
 * were discovered (requested elements first, then dependencies breadth-first), with the
 * virtual names they provide removed. Immutable.
 *
 * @since 1.0
 */
public final class ElementSet {
    private final List<String> requested;
    private final Map<String, Element> elements;
    private final Map<String, Element> providers;

    /**
     * @param requested the names asked for
     * @param elements  the expanded elements, in discovery order
     * @param providers for each provided (virtual) name, the element providing it
     */
    public ElementSet(List<String> requested, List<Element> elements, Map<String, Element> providers) {
        this.requested = List.copyOf(requested);
        Map<String, Element> m = new LinkedHashMap<>();
        for (Element e : elements) {
            m.put(e.name(), e);
        }
        this.elements = Collections.unmodifiableMap(m);
        this.providers = Collections.unmodifiableMap(new LinkedHashMap<>(providers));
    }

    /** @return the names asked for */
    public List<String> requested() {
        return requested;
    }

    /** @return the expanded elements in discovery order */
    public List<Element> elements() {
        return List.copyOf(elements.values());
    }

    /** @return the expanded element names in discovery order */
    public List<String> names() {
        return List.copyOf(elements.keySet());
    }

    /**
     * @param name an element name
     * @return the element, or null if it is not part of the set
     */
    public Element get(String name) {
        return elements.get(name);
    }

    /** @return provided (virtual) name to the element that provides it */
    public Map<String, Element> providers() {
        return providers;
    }

    /** @return the value of {@code IMAGE_ELEMENT}: the names separated by spaces */
    public String imageElement() {
        return String.join(" ", elements.keySet());
    }

    /**
     * @return the value of {@code IMAGE_ELEMENT_YAML}: a YAML mapping of name to path,
     *         sorted by name, one entry per line
     */
    public String imageElementYaml() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Element> e : new TreeMap<>(elements).entrySet()) {
            b.append(yamlScalar(e.getKey())).append(": ").append(yamlScalar(e.getValue().path().toString()))
                    .append('\n');
        }
        return b.length() == 0 ? "{}\n" : b.toString();
    }

    /**
     * @return the {@code [name]=path } pairs that upstream's {@code get_image_element_array}
     *         echoes, in discovery order
     */
    public String imageElementArray() {
        StringBuilder b = new StringBuilder();
        for (Element e : elements.values()) {
            b.append('[').append(e.name()).append("]=").append(e.path()).append(' ');
        }
        return b.toString();
    }

    static String yamlScalar(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_./+-][A-Za-z0-9_./+ -]*") && !s.endsWith(" ")
                && !s.matches("(?i)(true|false|yes|no|on|off|null|~|y|n|[-+]?[0-9._]+.*)")) {
            return s;
        }
        return "'" + s.replace("'", "''") + "'";
    }

    @Override
    public String toString() {
        return new ArrayList<>(elements.keySet()).toString();
    }
}

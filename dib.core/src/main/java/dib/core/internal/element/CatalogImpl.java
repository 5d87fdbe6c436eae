// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.element;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dib.core.element.Catalog;
import dib.core.element.Element;
import dib.core.element.ElementException;
import dib.core.element.ElementException.Reason;
import dib.core.element.ElementNames;
import dib.core.element.ElementSet;
import dib.core.element.ElementSource;

/**
 * A snapshot of element sources in search order, and the dependency expansion.
 *
 * <p>The expansion follows upstream's modern {@code element-info} step by step: a FIFO
 * walk from the requested names; a name already provided is skipped; an element's provides
 * are recorded (a name provided twice is an error) before its dependencies are queued;
 * dependencies already known or provided are not queued again, so cycles and
 * self-dependencies end; then requested names that something provides are an error, then a
 * missing {@code operating-system} provider is an error; the result drops every provided
 * name. Like upstream's, the queue starts with the request as given: an element requested
 * twice is walked twice, which is harmless unless it provides something, and then an error
 * (upstream: "operating-system: already provided by ['ubuntu']" for {@code ubuntu ubuntu}).
 *
 * <p>One deliberate difference: upstream fails with "Element 'x' not found" when the walk
 * reaches a virtual name before the element that provides it (the order-dependence quirk:
 * {@code A -> virt}, {@code B -> C}, {@code C provides virt} works as {@code B A} and fails
 * as {@code A B}). Here a name that no source has is not an error when it is dequeued; it is
 * checked after the walk, when every provider has been seen. Such a name has no
 * dependencies of its own, so this changes nothing for any expansion upstream completes;
 * it only turns that order-dependent failure into the result the other order gives.
 * A name that is both a real element and provided later keeps upstream's behaviour (its
 * dependencies are pulled in, the name itself is dropped).
 */
final class CatalogImpl implements Catalog {
    private static final String OS = "operating-system";

    private final List<ElementSource> sources;
    private final Map<String, Element> elements;
    private final List<Element> shadowed;

    CatalogImpl(List<ElementSource> sources) {
        this.sources = List.copyOf(sources);
        Map<String, Element> m = new TreeMap<>();
        List<Element> hidden = new ArrayList<>();
        for (ElementSource s : this.sources) {
            for (Element e : s.elements().values()) {
                Element first = m.putIfAbsent(e.name(), e);
                if (first != null) {
                    hidden.add(e);
                }
            }
        }
        this.elements = Collections.unmodifiableMap(m);
        this.shadowed = List.copyOf(hidden);
    }

    @Override
    public Map<String, Element> elements() {
        return elements;
    }

    @Override
    public List<Element> shadowed() {
        return shadowed;
    }

    @Override
    public List<String> origins() {
        return sources.stream().map(ElementSource::origin).collect(Collectors.toList());
    }

    @Override
    public ElementSet expand(List<String> requested) {
        return expand(requested, true);
    }

    @Override
    public ElementSet expand(List<String> requested, boolean requireOperatingSystem) {
        for (String r : requested) {
            ElementNames.check(r, "the requested elements");
        }
        Set<String> known = new LinkedHashSet<>(requested);
        Map<String, String> requiredBy = new HashMap<>();
        // the queue starts with the request as given, duplicates included, as upstream's does:
        // a provider requested twice then provides its names twice, which is an error there
        Deque<String> queue = new ArrayDeque<>(requested);
        Map<String, Element> providedBy = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();

        while (!queue.isEmpty()) {
            String name = queue.poll();
            if (providedBy.containsKey(name)) {
                continue;
            }
            Element e = elements.get(name);
            if (e == null) {
                unknown.add(name);
                continue;
            }
            for (String p : e.provides()) {
                Element first = providedBy.get(p);
                if (first == e) {
                    throw new ElementException(Reason.ALREADY_PROVIDED, "element " + describe(e)
                            + " is requested more than once and provides '" + p + "': give it once");
                }
                if (first != null) {
                    throw new ElementException(Reason.ALREADY_PROVIDED, "'" + p + "' is provided by two elements: "
                            + describe(first) + " and " + describe(e));
                }
                providedBy.put(p, e);
            }
            for (String d : e.dependencies()) {
                if (!known.contains(d) && !providedBy.containsKey(d)) {
                    queue.add(d);
                    requiredBy.putIfAbsent(d, describe(e));
                }
                known.add(d);
            }
        }

        for (String name : unknown) {
            if (!providedBy.containsKey(name)) {
                String who = requiredBy.get(name);
                throw new ElementException(Reason.MISSING, "element '" + name + "' not found"
                        + (who == null ? " (requested)" : " (required by " + who + ")")
                        + " in " + searched());
            }
        }

        List<String> conflicts = new ArrayList<>();
        for (String r : new LinkedHashSet<>(requested)) {
            Element p = providedBy.get(r);
            if (p != null) {
                conflicts.add("'" + r + "' is provided by " + describe(p));
            }
        }
        if (!conflicts.isEmpty()) {
            throw new ElementException(Reason.ALREADY_PROVIDED, "requested element"
                    + (conflicts.size() > 1 ? "s are" : " is") + " already provided by another element: "
                    + String.join("; ", conflicts) + " (drop it from the command line)");
        }

        if (requireOperatingSystem && !providedBy.containsKey(OS)) {
            throw new ElementException(Reason.MISSING_OS,
                    "please include an operating system element: none of " + known.stream()
                            .filter(elements::containsKey).collect(Collectors.joining(", "))
                            + " provides 'operating-system'" + osHint());
        }

        List<Element> out = new ArrayList<>();
        for (String name : known) {
            if (!providedBy.containsKey(name)) {
                out.add(elements.get(name));
            }
        }
        return new ElementSet(requested, out, providedBy);
    }

    private String searched() {
        List<String> o = origins();
        return o.isEmpty() ? "no element sources" : String.join(", ", o);
    }

    private String osHint() {
        List<String> os = new ArrayList<>();
        for (Element e : elements.values()) {
            try {
                if (e.provides().contains(OS)) {
                    os.add(e.name());
                }
            } catch (ElementException ignored) {
                // an unreadable unrelated element must not hide the real message
            }
        }
        return os.isEmpty() ? "" : " (available: " + String.join(", ", os) + ")";
    }

    private static String describe(Element e) {
        return "'" + e.name() + "' (" + e.origin() + ")";
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.test.element;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.element.Catalog;
import dib.core.element.ElementException;
import dib.core.element.ElementException.Reason;
import dib.core.element.ElementSet;

/**
 * The dependency rules of reference section 3.8 [modern], one test (or more) per rule, with
 * the exact user-facing messages.
 */
class ExpansionTest {
    @TempDir
    Path tmp;
    ElementTree t;
    String where;

    @BeforeEach
    void setUp() {
        t = new ElementTree(tmp.resolve("elements"));
        where = t.dir().toString();
    }

    private ElementSet expand(String... requested) {
        return ElementTree.catalog(t.dir()).expand(List.of(requested));
    }

    private ElementException fails(String... requested) {
        return assertThrows(ElementException.class, () -> expand(requested));
    }

    // ---- the walk ------------------------------------------------------------------------

    @Test
    void fifoWalkGivesDiscoveryOrder() {
        t.os("os");
        t.element("a").deps("c", "d");
        t.element("b").deps("e");
        t.element("c").deps("f");
        t.element("d");
        t.element("e");
        t.element("f");
        // breadth first: requested, then a's deps (file order), b's, then c's
        assertEquals(List.of("a", "b", "os", "c", "d", "e", "f"), expand("a", "b", "os").names());
    }

    @Test
    void requestedDuplicatesCountOnce() {
        t.os("os");
        t.element("a");
        assertEquals(List.of("a", "os"), expand("a", "os", "a").names());
    }

    @Test
    void providerRequestedTwiceIsAnErrorAsUpstream() {
        // upstream walks the request as given: ubuntu is walked twice and provides
        // operating-system twice ("operating-system: already provided by ['ubuntu']")
        t.os("ubuntu");
        t.element("a");
        ElementException e = fails("ubuntu", "a", "ubuntu");
        assertEquals(Reason.ALREADY_PROVIDED, e.reason());
        assertEquals("element 'ubuntu' (" + where + ") is requested more than once and provides"
                + " 'operating-system': give it once", e.getMessage());
    }

    @Test
    void sharedDependencyAppearsOnceWhereFirstFound() {
        t.os("os");
        t.element("a").deps("x");
        t.element("b").deps("x", "y");
        t.element("x");
        t.element("y");
        assertEquals(List.of("a", "b", "os", "x", "y"), expand("a", "b", "os").names());
    }

    @Test
    void cyclesTerminate() {
        t.os("os");
        t.element("a").deps("b");
        t.element("b").deps("c");
        t.element("c").deps("a");
        assertEquals(List.of("a", "os", "b", "c"), expand("a", "os").names());
    }

    @Test
    void selfDependencyIsHarmless() {
        t.os("os");
        t.element("a").deps("a", "b");
        t.element("b").deps("b");
        assertEquals(List.of("a", "os", "b"), expand("a", "os").names());
    }

    @Test
    void providedNamesAreDroppedAndTheirProviderRecorded() {
        t.os("os");
        t.element("a").deps("virt");
        t.element("c").provides("virt");
        ElementSet s = expand("c", "a", "os");
        assertEquals(List.of("c", "a", "os"), s.names());
        assertSame(s.get("c"), s.providers().get("virt"));
        assertEquals("os", s.providers().get("operating-system").name());
        assertEquals("c a os", s.imageElement());
    }

    @Test
    void theOperatingSystemCanComeThroughADependency() {
        t.element("distro").deps("distro-base");
        t.element("distro-base").provides("operating-system");
        assertEquals(List.of("distro", "distro-base"), expand("distro").names());
    }

    // ---- errors --------------------------------------------------------------------------

    @Test
    void missingRequestedElement() {
        t.os("os");
        ElementException e = fails("os", "nosuch");
        assertEquals(Reason.MISSING, e.reason());
        assertEquals("element 'nosuch' not found (requested) in " + where, e.getMessage());
    }

    @Test
    void missingDependencyNamesWhoNeedsIt() {
        t.os("os");
        t.element("a").deps("b");
        t.element("b").deps("gone");
        ElementException e = fails("a", "os");
        assertEquals(Reason.MISSING, e.reason());
        assertEquals("element 'gone' not found (required by 'b' (" + where + ")) in " + where, e.getMessage());
    }

    @Test
    void twoProvidersOfOneNameIsAnErrorNamingBothAndWhereTheyAre() {
        Path other = tmp.resolve("vendor");
        new ElementTree(other).element("ubuntu-too").provides("operating-system");
        t.element("ubuntu").provides("operating-system");
        ElementException e = assertThrows(ElementException.class,
                () -> ElementTree.catalog(t.dir(), other).expand(List.of("ubuntu", "ubuntu-too")));
        assertEquals(Reason.ALREADY_PROVIDED, e.reason());
        assertEquals("'operating-system' is provided by two elements: 'ubuntu' (" + where + ") and 'ubuntu-too' ("
                + other + ")", e.getMessage());
    }

    @Test
    void twoProvidersThroughDependencies() {
        t.os("os");
        t.element("a").deps("p1");
        t.element("b").deps("p2");
        t.element("p1").provides("virt");
        t.element("p2").provides("virt");
        ElementException e = fails("a", "b", "os");
        assertEquals("'virt' is provided by two elements: 'p1' (" + where + ") and 'p2' (" + where + ")",
                e.getMessage());
    }

    @Test
    void twoProvidersInTheCatalogAreFineWhenOnlyOneIsUsed() {
        t.os("os");
        t.os("other-os");
        assertEquals(List.of("os"), expand("os").names());
    }

    @Test
    void requestedElementProvidedByAnotherIsAnErrorNamingBoth() {
        t.os("os");
        t.element("virt");
        t.element("c").provides("virt");
        ElementException e = fails("virt", "c", "os");
        assertEquals(Reason.ALREADY_PROVIDED, e.reason());
        assertEquals("requested element is already provided by another element: 'virt' is provided by 'c' (" + where
                + ") (drop it from the command line)", e.getMessage());
    }

    @Test
    void operatingSystemGivenNextToAnOsElement() {
        // upstream: "operating-system" on the command line next to ubuntu is such a conflict
        t.os("ubuntu");
        ElementException e = fails("ubuntu", "operating-system");
        assertEquals(Reason.ALREADY_PROVIDED, e.reason());
        assertEquals("requested element is already provided by another element: 'operating-system' is provided by "
                + "'ubuntu' (" + where + ") (drop it from the command line)", e.getMessage());
    }

    @Test
    void severalConflictsAreListedInOneLine() {
        t.os("os");
        t.element("v1");
        t.element("v2");
        t.element("c").provides("v1", "v2");
        ElementException e = fails("v1", "v2", "c", "os");
        assertEquals("requested elements are already provided by another element: 'v1' is provided by 'c' (" + where
                + "); 'v2' is provided by 'c' (" + where + ") (drop it from the command line)", e.getMessage());
    }

    @Test
    void missingOperatingSystemIsAnError() {
        t.os("ubuntu");
        t.element("a").deps("b");
        t.element("b");
        ElementException e = fails("a");
        assertEquals(Reason.MISSING_OS, e.reason());
        assertEquals("please include an operating system element: none of a, b provides 'operating-system'"
                + " (available: ubuntu)", e.getMessage());
    }

    @Test
    void missingOperatingSystemWithoutAnyOsElementAvailable() {
        t.element("a");
        ElementException e = fails("a");
        assertEquals("please include an operating system element: none of a provides 'operating-system'",
                e.getMessage());
    }

    @Test
    void theOperatingSystemCheckCanBeSkippedForPartialSets() {
        t.element("a").deps("b");
        t.element("b");
        assertEquals(List.of("a", "b"), ElementTree.catalog(t.dir()).expand(List.of("a"), false).names());
    }

    @Test
    void missingElementIsReportedBeforeOtherProblems() {
        // both a missing element and a missing operating system: the missing element is named
        t.element("a").deps("gone");
        assertEquals(Reason.MISSING, fails("a").reason());
    }

    @Test
    void invalidRequestedNames() {
        t.os("os");
        for (String bad : new String[] { "a/b", "..", ".", "../os", "/os", "", "a b" }) {
            ElementException e = fails("os", bad);
            assertEquals(Reason.INVALID_NAME, e.reason(), bad);
            assertEquals("invalid element name '" + bad + "' in the requested elements: an element name is one "
                    + "directory name (letters, digits, '.', '_', '+', '-')", e.getMessage());
        }
    }

    @Test
    void unreadableElementDepsFailsTheExpansionThatUsesIt() throws Exception {
        t.os("os");
        Path a = t.element("a").path();
        java.nio.file.Files.createDirectory(a.resolve("element-deps"));
        ElementException e = fails("a", "os");
        assertEquals(Reason.UNREADABLE, e.reason());
        assertEquals("cannot read " + a.resolve("element-deps") + " of element 'a': Is a directory",
                e.getMessage());
        // an unrelated broken element does not matter (upstream reads every element eagerly and
        // would fail here; dib reads only what the walk visits)
        assertEquals(List.of("os"), expand("os").names());
    }

    // ---- provides and virtual names: upstream's edge cases ---------------------------------

    /**
     * The order-dependence case of reference section 3.8: {@code A -> virt}, {@code B -> C},
     * {@code C provides virt}, no real {@code virt}. Upstream succeeds for {@code B A} and
     * fails for {@code A B} with "Element 'virt' not found", because its FIFO walk reaches
     * {@code virt} before {@code C}. dib deliberately defers the "not found" check until the
     * walk has seen every provider, so both orders give upstream's successful result.
     */
    @Test
    void orderDependenceQuirkIsFixedBothOrdersSucceed() {
        t.os("os");
        t.element("A").deps("virt");
        t.element("B").deps("C");
        t.element("C").provides("virt");
        assertEquals(List.of("B", "A", "os", "C"), expand("B", "A", "os").names(), "upstream succeeds too");
        assertEquals(List.of("A", "B", "os", "C"), expand("A", "B", "os").names(), "upstream fails here");
        assertEquals("C", expand("A", "B", "os").providers().get("virt").name());
    }

    @Test
    void orderDependenceStillFailsWhenNothingProvidesTheName() {
        t.os("os");
        t.element("A").deps("virt");
        t.element("B").deps("C");
        t.element("C");
        ElementException e = fails("A", "B", "os");
        assertEquals("element 'virt' not found (required by 'A' (" + where + ")) in " + where, e.getMessage());
    }

    /**
     * A virtual name that is also a real element (upstream behaviour kept): when the walk
     * reaches the real element before its provider, the real element's dependencies are
     * pulled in, and the name itself is dropped once something provides it.
     */
    @Test
    void virtualNameThatIsAlsoARealElementReachedFirst() {
        t.os("os");
        t.element("A").deps("virt");
        t.element("B").deps("C");
        t.element("C").provides("virt");
        t.element("virt").deps("virt-dep");
        t.element("virt-dep");
        ElementSet s = expand("A", "B", "os");
        assertEquals(List.of("A", "B", "os", "C", "virt-dep"), s.names());
        assertEquals("C", s.providers().get("virt").name());
    }

    @Test
    void virtualNameThatIsAlsoARealElementProvidedFirst() {
        t.os("os");
        t.element("A").deps("virt");
        t.element("C").provides("virt");
        t.element("virt").deps("virt-dep");
        t.element("virt-dep");
        // the provider is walked first: the real element is never visited
        assertEquals(List.of("C", "A", "os"), expand("C", "A", "os").names());
        // requested after A: still dequeued before A's dependency virt, so virt is skipped
        assertEquals(List.of("A", "os", "C"), expand("A", "os", "C").names());
    }

    @Test
    void requestedElementThatIsAlsoADependency() {
        t.os("os");
        t.element("a").deps("os");
        // os is requested and also a dependency: no conflict (os provides operating-system, not os)
        assertEquals(List.of("a", "os"), expand("a", "os").names());
    }

    @Test
    void providersMapListsEveryProvidedName() {
        t.element("ubuntu").provides("operating-system", "distro");
        t.element("mbr").provides("block-device");
        t.element("vm").deps("block-device");
        ElementSet s = expand("ubuntu", "vm", "mbr");
        assertEquals(List.of("ubuntu", "vm", "mbr"), s.names());
        Map<String, String> p = new java.util.TreeMap<>();
        s.providers().forEach((k, v) -> p.put(k, v.name()));
        assertEquals(Map.of("operating-system", "ubuntu", "distro", "ubuntu", "block-device", "mbr"), p);
    }

    @Test
    void catalogIsASnapshot() throws Exception {
        t.os("os");
        Catalog c = ElementTree.catalog(t.dir());
        t.element("late");
        ElementException e = assertThrows(ElementException.class, () -> c.expand(List.of("os", "late")));
        assertEquals(Reason.MISSING, e.reason());
        assertEquals(List.of("os", "late"), ElementTree.catalog(t.dir()).expand(List.of("os", "late")).names());
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.test.element;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.element.Catalog;
import dib.core.element.Element;
import dib.core.element.ElementException;
import dib.core.element.ElementException.Reason;
import dib.core.element.ElementRepository;
import dib.core.element.ElementSource;

/** Where elements come from: ELEMENTS_PATH order, bundle sources, directory scanning. */
class ElementsPathTest {
    @TempDir
    Path tmp;

    @Test
    void firstEntryOfElementsPathWinsAndTheOthersAreShadowed() {
        ElementTree user = new ElementTree(tmp.resolve("user"));
        ElementTree lib = new ElementTree(tmp.resolve("lib"));
        user.element("ubuntu").provides("operating-system").deps("mine");
        user.element("mine");
        lib.element("ubuntu").provides("operating-system").deps("theirs");
        lib.element("theirs");
        Catalog c = ElementTree.catalog(user.dir(), lib.dir());
        assertEquals(user.dir().resolve("ubuntu"), c.elements().get("ubuntu").path());
        assertEquals(List.of("ubuntu (" + lib.dir() + ")"), c.shadowed().stream().map(Element::toString).toList());
        assertEquals(List.of("ubuntu", "mine"), c.expand(List.of("ubuntu")).names());
        assertEquals(List.of(user.dir().toString(), lib.dir().toString()), c.origins());

        Catalog reversed = ElementTree.catalog(lib.dir(), user.dir());
        assertEquals(List.of("ubuntu", "theirs"), reversed.expand(List.of("ubuntu")).names());
    }

    @Test
    void elementsOfLaterEntriesAreStillFound() {
        ElementTree user = new ElementTree(tmp.resolve("user"));
        ElementTree lib = new ElementTree(tmp.resolve("lib"));
        user.element("mine").deps("base");
        lib.element("base");
        lib.os("os");
        assertEquals(List.of("mine", "os", "base"),
                ElementTree.catalog(user.dir(), lib.dir()).expand(List.of("mine", "os")).names());
    }

    @Test
    void bundleElementsComeAfterElementsPath() {
        ElementTree user = new ElementTree(tmp.resolve("user"));
        ElementTree unpacked = new ElementTree(tmp.resolve("cache/dib.distro.ubuntu-1.0.0-abc"));
        user.element("ubuntu").provides("operating-system");
        unpacked.element("ubuntu").provides("operating-system").deps("dpkg");
        unpacked.element("dpkg");
        ElementSource bundle = ElementTree.bundle(unpacked.dir(), "bundle dib.distro.ubuntu 1.0.0");

        Catalog c = ElementTree.catalog(List.of(user.dir()), bundle);
        assertEquals(user.dir().toString(), c.elements().get("ubuntu").origin(), "ELEMENTS_PATH overrides bundles");
        assertEquals("bundle dib.distro.ubuntu 1.0.0", c.elements().get("dpkg").origin());
        assertEquals("bundle dib.distro.ubuntu 1.0.0", c.shadowed().get(0).origin());
        assertEquals(List.of(user.dir().toString(), "bundle dib.distro.ubuntu 1.0.0"), c.origins());
        assertEquals(List.of("ubuntu"), c.expand(List.of("ubuntu")).names());

        Catalog bundleOnly = ElementTree.catalog(List.of(), bundle);
        assertEquals(List.of("ubuntu", "dpkg"), bundleOnly.expand(List.of("ubuntu")).names());
    }

    @Test
    void missingElementMessageListsEverySourceSearched() {
        ElementTree user = new ElementTree(tmp.resolve("user"));
        ElementTree unpacked = new ElementTree(tmp.resolve("unpacked"));
        user.os("os");
        ElementSource bundle = ElementTree.bundle(unpacked.dir(), "bundle dib.core 1.0.0");
        ElementException e = assertThrows(ElementException.class,
                () -> ElementTree.catalog(List.of(user.dir()), bundle).expand(List.of("os", "nope")));
        assertEquals("element 'nope' not found (requested) in " + user.dir() + ", bundle dib.core 1.0.0",
                e.getMessage());
        ElementException none = assertThrows(ElementException.class,
                () -> ElementTree.catalog(List.of()).expand(List.of("nope")));
        assertEquals("element 'nope' not found (requested) in no element sources", none.getMessage());
    }

    @Test
    void entryThatIsAFileIsAnErrorNamingIt() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        ElementTree ok = new ElementTree(tmp.resolve("ok"));
        ElementException e = assertThrows(ElementException.class, () -> ElementTree.catalog(ok.dir(), file));
        assertEquals(Reason.INVALID_PATH, e.reason());
        assertEquals("ELEMENTS_PATH entry '" + file + "' is not a directory", e.getMessage());
    }

    @Test
    void entryThatDoesNotExistIsAnErrorNamingIt() {
        Path gone = tmp.resolve("gone");
        ElementException e = assertThrows(ElementException.class, () -> ElementTree.catalog(gone));
        assertEquals(Reason.INVALID_PATH, e.reason());
        assertEquals("ELEMENTS_PATH entry '" + gone + "' is not a directory", e.getMessage());
    }

    @Test
    void parsePathSkipsEmptyEntries() {
        assertEquals(List.of(Path.of("/a"), Path.of("/b c")), ElementRepository.parsePath("/a::/b c:"));
        assertEquals(List.of(), ElementRepository.parsePath(null));
        assertEquals(List.of(), ElementRepository.parsePath(""));
    }

    @Test
    void everySubdirectoryIsAnElementButNotFilesOrDotDirectoriesOrInvalidNames() throws Exception {
        ElementTree t = new ElementTree(tmp.resolve("e"));
        t.element("good");
        t.element("__pycache__"); // upstream's library has one; it is a (useless) element there too
        t.element(".git");
        t.element("has space");
        Files.writeString(t.dir().resolve("README.rst"), "not an element");
        assertEquals(List.of("__pycache__", "good"), List.copyOf(ElementTree.catalog(t.dir()).elements().keySet()));
    }

    @Test
    void symlinkedElementIsNamedAfterTheLink() throws Exception {
        // upstream names it after the link's target (realpath); dib after what the user sees
        ElementTree t = new ElementTree(tmp.resolve("e"));
        Path real = new ElementTree(tmp.resolve("elsewhere")).element("real-name").deps("x").path();
        Files.createSymbolicLink(t.dir().resolve("link-name"), real);
        Catalog c = ElementTree.catalog(t.dir());
        assertEquals(List.of("link-name"), List.copyOf(c.elements().keySet()));
        assertEquals(List.of("x"), List.copyOf(c.elements().get("link-name").dependencies()));
        assertFalse(c.elements().containsKey("real-name"));
    }

    @Test
    void elementNamesAreValidated() {
        ElementException e = assertThrows(ElementException.class,
                () -> new Element("../x", tmp, "somewhere"));
        assertEquals(Reason.INVALID_NAME, e.reason());
        assertEquals("invalid element name '../x' in somewhere: an element name is one directory name "
                + "(letters, digits, '.', '_', '+', '-')", e.getMessage());
    }
}

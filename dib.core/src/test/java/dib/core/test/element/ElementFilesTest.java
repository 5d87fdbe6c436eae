// SPDX-License-Identifier: Apache-2.0
package dib.core.test.element;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.element.Element;
import dib.core.element.ElementException;
import dib.core.element.ElementException.Reason;

/** Reading {@code element-deps} and {@code element-provides} (reference section 3.2, modern). */
class ElementFilesTest {
    @TempDir
    Path tmp;

    private Element element(String name) {
        return new Element(name, tmp.resolve(name), tmp.toString());
    }

    @Test
    void linesAreStrippedAndBlankLinesDropped() {
        ElementTree t = new ElementTree(tmp);
        t.element("a").write("element-deps", "\n  b  \n\n\tc\t\r\nd\n\n   \n")
                .write("element-provides", "x\n\n y");
        Element a = element("a");
        assertEquals(List.of("b", "c", "d"), List.copyOf(a.dependencies()), "file order, trimmed, no blanks");
        assertEquals(List.of("x", "y"), List.copyOf(a.provides()), "no trailing newline needed");
    }

    @Test
    void duplicateLinesCountOnce() {
        new ElementTree(tmp).element("a").deps("b", "b", "c", "b");
        assertEquals(List.of("b", "c"), List.copyOf(element("a").dependencies()));
    }

    @Test
    void missingFilesAreEmpty() {
        new ElementTree(tmp).element("a");
        Element a = element("a");
        assertEquals(List.of(), List.copyOf(a.dependencies()));
        assertEquals(List.of(), List.copyOf(a.provides()));
    }

    @Test
    void emptyAndBlankFilesAreEmpty() {
        new ElementTree(tmp).element("a").write("element-deps", "").write("element-provides", "\n \n\t\n");
        assertEquals(List.of(), List.copyOf(element("a").dependencies()));
        assertEquals(List.of(), List.copyOf(element("a").provides()));
    }

    @Test
    void unreadableFileIsAnErrorNamingTheFileAndElement() throws Exception {
        // element-deps that is a directory: read() fails even for root
        Path a = new ElementTree(tmp).element("a").path();
        Files.createDirectory(a.resolve("element-deps"));
        ElementException e = assertThrows(ElementException.class, () -> element("a").dependencies());
        assertEquals(Reason.UNREADABLE, e.reason());
        assertEquals("cannot read " + a.resolve("element-deps") + " of element 'a': Is a directory",
                e.getMessage());
    }

    @Test
    void unreadableProvidesIsAnErrorToo() throws Exception {
        Path a = new ElementTree(tmp).element("a").path();
        Files.createDirectory(a.resolve("element-provides"));
        ElementException e = assertThrows(ElementException.class, () -> element("a").provides());
        assertEquals("cannot read " + a.resolve("element-provides") + " of element 'a': Is a directory",
                e.getMessage());
    }

    @Test
    void permissionDeniedIsAnErrorNamingTheFile() throws Exception {
        Path a = new ElementTree(tmp).element("a").deps("b").path();
        Path f = a.resolve("element-deps");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(f), "root reads files whatever their mode; covered by the directory case");
        ElementException e = assertThrows(ElementException.class, () -> element("a").dependencies());
        assertEquals(Reason.UNREADABLE, e.reason());
        assertEquals("cannot read " + f + " of element 'a': permission denied", e.getMessage());
    }

    @Test
    void invalidNameInAFileIsAnErrorNamingTheFile() {
        Path a = new ElementTree(tmp).element("a").deps("ok", "../etc").path();
        ElementException e = assertThrows(ElementException.class, () -> element("a").dependencies());
        assertEquals(Reason.INVALID_NAME, e.reason());
        assertEquals("invalid element name '../etc' in " + a.resolve("element-deps")
                + ": an element name is one directory name (letters, digits, '.', '_', '+', '-')", e.getMessage());
    }

    @Test
    void noCommentSyntax() {
        // upstream has none either: '#' lines would be element names; here they are invalid names
        Path a = new ElementTree(tmp).element("a").provides("#comment").path();
        ElementException e = assertThrows(ElementException.class, () -> element("a").provides());
        assertEquals("invalid element name '#comment' in " + a.resolve("element-provides")
                + ": an element name is one directory name (letters, digits, '.', '_', '+', '-')", e.getMessage());
    }

    @Test
    void filesAreReadOnceAndRemembered() throws Exception {
        Path a = new ElementTree(tmp).element("a").deps("b").path();
        Element e = element("a");
        assertEquals(List.of("b"), List.copyOf(e.dependencies()));
        Files.writeString(a.resolve("element-deps"), "c\n");
        assertEquals(List.of("b"), List.copyOf(e.dependencies()), "an Element is a snapshot");
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/element-info} as a process, against the packaged assembly: good input works,
 * bad input gives one clear line on stderr and exit status 1 (2 for usage errors, as
 * getopt), never a stack trace.
 */
class ElementInfoCliIT {
    static Path lib;

    @BeforeAll
    static void elements() throws Exception {
        lib = Cli.WORK.resolve("cli-elements");
        element("ubuntu", "dpkg", "operating-system");
        element("dpkg", "", "");
        element("vm", "block-device", "");
        element("block-device-mbr", "", "block-device");
        Path broken = element("broken", "", "");
        // An honest unreadable element-deps even for root (chmod does not stop root's reads):
        // a directory where the file should be, so read() fails with EISDIR.
        Files.deleteIfExists(broken.resolve("element-deps"));
        Files.createDirectories(broken.resolve("element-deps"));
    }

    private static Path element(String name, String deps, String provides) throws Exception {
        Path e = Files.createDirectories(lib.resolve(name));
        if (Files.isDirectory(e.resolve("element-deps"))) {
            Files.delete(e.resolve("element-deps")); // left by an earlier run
        }
        Files.writeString(e.resolve("element-deps"), deps.replace(' ', '\n') + "\n");
        Files.writeString(e.resolve("element-provides"), provides + "\n");
        return e;
    }

    @Test
    void expandsDependencies() {
        Cli.Result r = Cli.run(lib.toString(), "element-info", "-d", "ubuntu", "vm", "block-device-mbr");
        assertEquals(0, r.status(), r.err());
        assertEquals("ubuntu vm block-device-mbr dpkg\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void missingElement() {
        String line = Cli.run(lib.toString(), "element-info", "-d", "ubuntu", "nosuch").oneErrorLine(1);
        // the bundles of the assembly follow ELEMENTS_PATH in the list of places searched
        assertTrue(line.startsWith("element 'nosuch' not found (requested) in " + lib + ", bundle ")
                && line.contains(", bundle dib.core "), line);
    }

    @Test
    void missingDependency() {
        String line = Cli.run(lib.toString(), "element-info", "-d", "ubuntu", "vm").oneErrorLine(1);
        assertTrue(line.startsWith("element 'block-device' not found (required by 'vm' (" + lib + ")) in " + lib
                + ", bundle ") && line.contains(", bundle dib.core "), line);
    }

    @Test
    void unreadableElementDeps() {
        String line = Cli.run(lib.toString(), "element-info", "-d", "ubuntu", "broken").oneErrorLine(1);
        assertEquals("cannot read " + lib.resolve("broken/element-deps") + " of element 'broken': Is a directory",
                line);
    }

    @Test
    void elementNameWithSlashOrDotDot() {
        for (String bad : new String[] { "a/b", "..", "../ubuntu", "/etc" }) {
            String line = Cli.run(lib.toString(), "element-info", "-d", "ubuntu", bad).oneErrorLine(1);
            assertEquals("invalid element name '" + bad + "' in the requested elements: an element name is one"
                    + " directory name (letters, digits, '.', '_', '+', '-')", line);
        }
    }

    @Test
    void elementsPathEntryThatIsNotADirectory() throws Exception {
        Path file = Files.writeString(Cli.WORK.resolve("not-a-directory"), "x");
        String line = Cli.run(lib + ":" + file, "element-info", "-d", "ubuntu").oneErrorLine(1);
        assertEquals("ELEMENTS_PATH entry '" + file + "' is not a directory", line);
        Path missing = Cli.WORK.resolve("does-not-exist");
        line = Cli.run(missing + ":" + lib, "element-info", "-d", "ubuntu").oneErrorLine(1);
        assertEquals("ELEMENTS_PATH entry '" + missing + "' is not a directory", line);
    }

    @Test
    void missingOperatingSystem() {
        String line = Cli.run(lib.toString(), "element-info", "-d", "dpkg").oneErrorLine(1);
        assertTrue(line.startsWith("please include an operating system element: none of dpkg provides"
                + " 'operating-system' (available: "), line);
    }

    @Test
    void helpExitsZero() {
        Cli.Result r = Cli.run(lib.toString(), "element-info", "-h");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("usage: element-info [-d|--expand-dependencies] [-e|--env] ELEMENT...\n"),
                r.out());
        assertEquals("", r.err());
    }

    @Test
    void unknownOptionExitsTwoWithGetoptsMessage() {
        assertEquals("element-info: invalid option -- 'x'",
                Cli.run(lib.toString(), "element-info", "-x", "ubuntu").oneErrorLine(2));
        assertEquals("element-info: unrecognized option '--bogus'",
                Cli.run(lib.toString(), "element-info", "--bogus", "ubuntu").oneErrorLine(2));
    }

    @Test
    void noElementIsAUsageError() {
        String line = Cli.run(lib.toString(), "element-info", "-d").oneErrorLine(2);
        assertTrue(line.startsWith("element-info: at least one element is required"), line);
    }

    @Test
    void envOutputIsEvalableBash() throws Exception {
        Cli.Result r = Cli.run(lib.toString(), "element-info", "--env", "ubuntu");
        assertEquals(0, r.status(), r.err());
        Process p = new ProcessBuilder("bash", "-c", "eval \"$1\"; echo \"$IMAGE_ELEMENT\";"
                + " eval declare -A a=($(get_image_element_array)); echo \"${a[dpkg]}\"", "-", r.out()).start();
        String got = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor());
        assertEquals("ubuntu dpkg\n" + lib.resolve("dpkg") + "\n", got);
    }

    @Test
    void dibWithoutCommandOrTerminalPrintsUsageAndExitsTwo() {
        Cli.Result r = Cli.run(lib.toString(), "dib");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().startsWith("usage: dib "), r.err());
    }
}

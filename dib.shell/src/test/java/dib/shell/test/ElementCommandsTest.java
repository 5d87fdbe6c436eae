// SPDX-License-Identifier: Apache-2.0
package dib.shell.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.element.ElementBundles;
import dib.core.internal.element.ElementRepositoryImpl;
import dib.shell.internal.BundlesCommand;
import dib.shell.internal.CommandFailure;
import dib.shell.internal.ElementInfoCommand;
import dib.shell.internal.ElementsCommand;

/** dib:element-info, dib:elements and dib:bundles through a real Gogo session. */
class ElementCommandsTest {
    @TempDir
    Path tmp;
    Path lib;
    Path user;
    Gogo gogo;
    List<ElementBundles.Info> bundles = List.of();

    @BeforeEach
    void setUp() throws Exception {
        lib = tmp.resolve("lib");
        user = tmp.resolve("user");
        element(lib, "ubuntu", "dpkg", "operating-system");
        element(lib, "dpkg", "", "");
        element(lib, "vm", "block-device", "");
        element(lib, "block-device-mbr", "", "block-device");
        element(user, "dpkg", "", "");
        ElementRepositoryImpl repo = new ElementRepositoryImpl();
        gogo = new Gogo().command("element-info", new ElementInfoCommand(repo))
                .command("elements", new ElementsCommand(repo))
                .command("bundles", new BundlesCommand(() -> bundles));
        gogo.session.put("ELEMENTS_PATH", user + ":" + lib);
    }

    @AfterEach
    void tearDown() {
        gogo.close();
    }

    private static void element(Path dir, String name, String deps, String provides) throws Exception {
        Path e = Files.createDirectories(dir.resolve(name));
        if (!deps.isEmpty()) {
            Files.writeString(e.resolve("element-deps"), deps.replace(' ', '\n') + "\n");
        }
        if (!provides.isEmpty()) {
            Files.writeString(e.resolve("element-provides"), provides + "\n");
        }
    }

    private CommandFailure fails(String line) {
        return assertThrows(CommandFailure.class, () -> gogo.run(line));
    }

    @Test
    void expandDependenciesPrintsNamesSpaceSeparated() throws Exception {
        assertEquals("ubuntu vm block-device-mbr dpkg\n", gogo.run("dib:element-info -d ubuntu vm block-device-mbr"));
        assertEquals("ubuntu vm block-device-mbr dpkg\n",
                gogo.run("dib:element-info --expand-dependencies ubuntu vm block-device-mbr"));
        assertEquals("ubuntu dpkg\n", gogo.run("dib:element-info ubuntu"), "names are the default output");
    }

    @Test
    void elementsPathComesFromTheSession() throws Exception {
        gogo.session.put("ELEMENTS_PATH", lib.toString());
        assertEquals("ubuntu dpkg\n", gogo.run("dib:element-info -d ubuntu"));
    }

    @Test
    void envOutputEvaluatesInBashLikeUpstreams() throws Exception {
        String script = gogo.run("dib:element-info --env ubuntu");
        // upstream's consumers: eval it, then read the variables and the array function
        Process p = new ProcessBuilder("bash", "-c", "eval \"$(cat)\"; printf '%s|' \"$IMAGE_ELEMENT\";"
                + " printf '%s|' \"$IMAGE_ELEMENT_YAML\"; eval declare -A a=($(get_image_element_array));"
                + " printf '%s|' \"${a[ubuntu]}\" \"${a[dpkg]}\" \"${#a[@]}\";"
                + " bash -c 'get_image_element_array' | tr -d '\\n'").redirectErrorStream(true).start();
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String got = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        String u = lib.resolve("ubuntu").toString();
        String d = user.resolve("dpkg").toString();
        assertEquals("ubuntu dpkg|dpkg: " + d + "\nubuntu: " + u + "\n|" + u + "|" + d + "|2|"
                + "[ubuntu]=" + u + " [dpkg]=" + d + " ", got, script);
    }

    @Test
    void errorsAreOneLineFailuresWithStatus1() {
        CommandFailure f = fails("dib:element-info -d ubuntu nosuch");
        assertEquals(1, f.status());
        assertEquals("element 'nosuch' not found (requested) in " + user + ", " + lib, f.getMessage());

        f = fails("dib:element-info -d vm");
        assertEquals(1, f.status());
        assertEquals("element 'block-device' not found (required by 'vm' (" + lib + ")) in " + user + ", " + lib,
                f.getMessage());

        f = fails("dib:element-info -d dpkg");
        assertEquals("please include an operating system element: none of dpkg provides 'operating-system'"
                + " (available: ubuntu)", f.getMessage());

        f = fails("dib:element-info -d ubuntu ../etc");
        assertEquals(1, f.status());
        assertTrue(f.getMessage().startsWith("invalid element name '../etc' in the requested elements"),
                f.getMessage());

        gogo.session.put("ELEMENTS_PATH", tmp.resolve("nope") + ":" + lib);
        f = fails("dib:element-info -d ubuntu");
        assertEquals(1, f.status());
        assertEquals("ELEMENTS_PATH entry '" + tmp.resolve("nope") + "' is not a directory", f.getMessage());
    }

    @Test
    void usageErrorsHaveStatus2() {
        CommandFailure f = fails("dib:element-info -x ubuntu");
        assertEquals(2, f.status());
        assertEquals("element-info: invalid option -- 'x'", f.getMessage());
        f = fails("dib:element-info --bogus ubuntu");
        assertEquals(2, f.status());
        assertEquals("element-info: unrecognized option '--bogus'", f.getMessage());
        f = fails("dib:element-info -d");
        assertEquals(2, f.status());
        assertEquals("element-info: at least one element is required (usage: element-info "
                + "[-d|--expand-dependencies] [-e|--env] ELEMENT...)", f.getMessage());
    }

    @Test
    void helpPrintsUsage() throws Exception {
        String help = gogo.run("dib:element-info -h");
        assertTrue(help.startsWith("usage: element-info [-d|--expand-dependencies] [-e|--env] ELEMENT...\n"), help);
        assertEquals(help, gogo.run("dib:element-info --help ubuntu"));
        assertTrue(gogo.run("dib:elements --help").startsWith("usage: elements "));
        // after "--" it is an operand (an element name), as getopt has it
        CommandFailure f = fails("dib:element-info -d ubuntu -- -h");
        assertEquals("element '-h' not found (requested) in " + user + ", " + lib, f.getMessage());
    }

    @Test
    void elementsListsEveryElementWithItsSource() throws Exception {
        String table = gogo.run("dib:elements");
        List<String> lines = table.lines().toList();
        assertEquals("ELEMENT           SOURCE" + " ".repeat(user.toString().length() - 4) + "PROVIDES          DEPENDS",
                lines.get(0));
        assertEquals(5, lines.size(), table);
        assertTrue(lines.get(2).matches("dpkg +" + user + " *"), table);
        assertTrue(lines.get(3).matches("ubuntu +" + lib + " +operating-system +dpkg"), table);
        assertTrue(lines.get(4).matches("vm +" + lib + " +block-device"), table);

        String all = gogo.run("dib:elements -a");
        assertTrue(all.lines().anyMatch(l -> l.matches("dpkg \\(hidden\\) +" + lib + " *")), all);

        assertEquals(2, gogo.run("dib:elements ubuntu").lines().count());
        CommandFailure f = fails("dib:elements nosuch");
        assertEquals(1, f.status());
        assertEquals("elements: no element named 'nosuch' in " + user + ", " + lib, f.getMessage());
    }

    @Test
    void elementsAsJson() throws Exception {
        String json = gogo.run("dib:elements --json ubuntu");
        assertEquals("[\n  {\n    \"name\": \"ubuntu\",\n    \"source\": \"" + lib + "\",\n    \"path\": \""
                + lib.resolve("ubuntu") + "\",\n    \"provides\": [\n      \"operating-system\"\n    ],\n"
                + "    \"deps\": [\n      \"dpkg\"\n    ],\n    \"shadowed\": false\n  }\n]\n", json);
    }

    @Test
    void elementsShowsAnUnreadableElementInsteadOfFailing() throws Exception {
        Files.createDirectory(Files.createDirectories(lib.resolve("broken")).resolve("element-deps"));
        String table = gogo.run("dib:elements broken");
        assertTrue(table.contains("<cannot read " + lib.resolve("broken/element-deps")
                + " of element 'broken': Is a directory>"), table);
    }

    @Test
    void bundlesShowsAcceptedAndRejectedBundles() throws Exception {
        bundles = List.of(
                new ElementBundles.Info(7, "dib.core", "1.0.0", "elements", List.of("base"), tmp, null),
                new ElementBundles.Info(12, "vendor.x", "2.1.0", "elements", List.of("base", "x"), null,
                        "element base already provided by bundle dib.core 1.0.0"));
        List<String> lines = gogo.run("dib:bundles").lines().toList();
        assertEquals(List.of(
                "ID  BUNDLE    VERSION  STATE                                                             ELEMENTS",
                "7   dib.core  1.0.0    active                                                            base",
                "12  vendor.x  2.1.0    rejected: element base already provided by bundle dib.core 1.0.0  base x"),
                lines);
        assertTrue(gogo.run("dib:bundles --json").contains("\"problem\": \"element base already provided"));
        CommandFailure f = fails("dib:bundles extra");
        assertEquals(2, f.status());
        assertEquals("bundles: unexpected argument 'extra'", f.getMessage());
    }
}

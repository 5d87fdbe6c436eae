// SPDX-License-Identifier: Apache-2.0
package dib.core.test.packages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import dib.core.internal.packages.PackageException;
import dib.core.internal.packages.PackageInstalls;

/**
 * The squash of package-installs files with upstream's semantics (the cases of upstream's
 * test_package_squash.py and its README), and dib's order-independent conflict rule.
 */
class PackageInstallsTest {
    @TempDir
    Path dir;

    static Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("ARCH", "amd64");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static Object yaml(String text) {
        return new Yaml().load(text);
    }

    static Map<String, Map<String, List<List<String>>>> squash(Map<String, String> env, String... elementAndYaml)
            throws PackageException {
        PackageInstalls p = new PackageInstalls(env);
        for (int i = 0; i < elementAndYaml.length; i += 2) {
            p.add(elementAndYaml[i], "package-installs.yaml", yaml(elementAndYaml[i + 1]));
        }
        return p.result();
    }

    static List<List<String>> pairs(String... pe) {
        List<List<String>> out = new java.util.ArrayList<>();
        for (int i = 0; i < pe.length; i += 2) {
            out.add(List.of(pe[i], pe[i + 1]));
        }
        return out;
    }

    @Test
    void simplePackageGoesToInstallD() throws Exception {
        assertEquals(Map.of("install.d", Map.of("install", pairs("test_package", "test_element"))),
                squash(env(), "test_element", "test_package: ''\n"));
        assertEquals(Map.of("install.d", Map.of("install", pairs("a", "e"))), squash(env(), "e", "a:\n"));
    }

    @Test
    void archAndNotArch() throws Exception {
        String doc = "test_package: ''\ntest_arm64_package:\n  arch: arm64\ndo_not_install:\n  not-arch: arm64\n";
        assertEquals(pairs("test_package", "e", "test_arm64_package", "e"),
                squash(env("ARCH", "arm64"), "e", doc).get("install.d").get("install"));
        assertEquals(pairs("test_package", "e", "do_not_install", "e"),
                squash(env("ARCH", "amd64"), "e", doc).get("install.d").get("install"));
        // comma-separated lists, spaces allowed
        assertEquals(pairs("lshw", "e"), squash(env("ARCH", "ppc64le"), "e",
                "lshw:\n  arch: ppc64, ppc64le\ndmidecode:\n  not-arch: ppc64, ppc64le\n").get("install.d").get("install"));
    }

    @Test
    void archAndNotArchTogetherIsAnErrorNamingElementAndPackage() {
        PackageException e = assertThrows(PackageException.class,
                () -> squash(env(), "my-element", "pkg:\n  arch: amd64\n  not-arch: arm64\n"));
        assertEquals("package-installs.yaml of element 'my-element', package 'pkg': arch and not-arch given together"
                + " (use one)", e.getMessage());
    }

    static final String KERNEL = """
            linux-image-generic:
              - not-arch: arm64
                when: DIB_UBUNTU_KERNEL = linux-image-generic
              - arch: arm64
                when:
                  - DIB_RELEASE != xenial
                  - DIB_UBUNTU_KERNEL = linux-image-generic
            linux-generic-hwe-16.04:
              arch: arm64
              when:
                - DIB_RELEASE = xenial
                - DIB_UBUNTU_KERNEL = linux-image-generic
            """;

    @Test
    void parameterListsAndWhen() throws Exception {
        for (String[] c : new String[][] {{"x86_64", "focal", "linux-image-generic"},
                {"arm64", "xenial", "linux-generic-hwe-16.04"}, {"arm64", "focal", "linux-image-generic"}}) {
            assertEquals(pairs(c[2], "e"), squash(env("ARCH", c[0], "DIB_RELEASE", c[1], "DIB_UBUNTU_KERNEL",
                    "linux-image-generic"), "e", KERNEL).get("install.d").get("install"), String.join(" ", c));
        }
    }

    @Test
    void whenEqualsAndNotEquals() throws Exception {
        String doc = "skipped_package:\n  when: DIB_FEATURE=0\nnot_skipped_package:\n  when: DIB_FEATURE=1\n"
                + "not_equal_package:\n  when: DIB_FEATURE!=0\nnot_equal_skipped_package:\n  when: DIB_FEATURE!=1\n";
        assertEquals(pairs("not_skipped_package", "e", "not_equal_package", "e"),
                squash(env("DIB_FEATURE", "1"), "e", doc).get("install.d").get("install"));
        String list = "not_skipped_package:\n  when: [DIB_A=1, DIB_B=1, DIB_C=1]\n"
                + "skipped_package:\n  when: [DIB_A=1, DIB_B=0, DIB_C=1]\n";
        assertEquals(pairs("not_skipped_package", "e"),
                squash(env("DIB_A", "1", "DIB_B", "1", "DIB_C", "1"), "e", list).get("install.d").get("install"));
    }

    @Test
    void whenOnAnUnsetVariableIsAnError() {
        PackageException e = assertThrows(PackageException.class,
                () -> squash(env(), "el", "package:\n  when: MISSING_VAR=1\n"));
        assertEquals("package-installs.yaml of element 'el', package 'package': when: 'MISSING_VAR=1' tests"
                + " MISSING_VAR, which is not set (give it a default in an environment.d file)", e.getMessage());
        e = assertThrows(PackageException.class, () -> squash(env(), "el", "package:\n  when: not a condition\n"));
        assertTrue(e.getMessage().contains("malformed when: 'not a condition'"), e.getMessage());
    }

    @Test
    void phasesUninstallAndBuildOnly() throws Exception {
        var r = squash(env(), "e", "grub2:\n  phase: pre-install.d\nnetworkmanager:\n  uninstall: True\n"
                + "libssl-dev:\n  build-only: True\nlate:\n  phase: post-install.d\n");
        assertEquals(pairs("grub2", "e"), r.get("pre-install.d").get("install"));
        assertEquals(pairs("libssl-dev", "e"), r.get("install.d").get("install"));
        assertEquals(pairs("networkmanager", "e", "libssl-dev", "e"), r.get("install.d").get("uninstall"));
        assertEquals(pairs("late", "e"), r.get("post-install.d").get("install"));
        // false means false (upstream 3.13 only looks at whether the key is there)
        assertEquals(Map.of("install.d", Map.of("install", pairs("kept", "e"))),
                squash(env(), "e", "kept:\n  uninstall: false\n"));
    }

    @Test
    void aPlainInstallWinsOverAnotherElementsRemovalWhateverTheOrder() throws Exception {
        String remover = "tcpdump:\n  uninstall: true\ngcc:\n  build-only: true\n";
        String keeper = "tcpdump:\ngcc:\n";
        for (var r : List.of(squash(env(), "a", remover, "b", keeper), squash(env(), "b", keeper, "a", remover))) {
            assertEquals(null, r.get("install.d").get("uninstall"), r.toString());
            assertTrue(r.get("install.d").get("install").contains(List.of("tcpdump", "b")), r.toString());
            assertTrue(r.get("install.d").get("install").contains(List.of("gcc", "a")), r.toString());
        }
        // removal in another phase is not affected
        var r = squash(env(), "a", "tcpdump:\n  uninstall: true\n  phase: post-install.d\n", "b", keeper);
        assertEquals(pairs("tcpdump", "a"), r.get("post-install.d").get("uninstall"));
    }

    @Test
    void installtypeAndPythonVersion() throws Exception {
        String doc = "os-collect-config:\n  installtype: source\nos-package:\n  installtype: package\n"
                + "python-dev:\n  dib_python_version: 2\npython3-dev:\n  dib_python_version: 3\n";
        assertEquals(pairs("os-collect-config", "my-el", "python3-dev", "my-el"),
                squash(env("DIB_PYTHON_VERSION", "3"), "my-el", doc).get("install.d").get("install"));
        assertEquals(pairs("os-package", "my-el"),
                squash(env("DIB_DEFAULT_INSTALLTYPE", "package"), "my-el", doc).get("install.d").get("install"));
        assertEquals(pairs("os-collect-config", "my-el"), squash(env("DIB_DEFAULT_INSTALLTYPE", "package",
                "DIB_INSTALLTYPE_my_el", "source"), "my-el", doc).get("install.d").get("install"));
    }

    @Test
    void badDeclarationsNameFileAndPackage() {
        PackageException e = assertThrows(PackageException.class, () -> squash(env(), "el", "p:\n  phase: root.d\n"));
        assertEquals("package-installs.yaml of element 'el', package 'p': phase 'root.d' is not one of pre-install.d,"
                + " install.d, post-install.d", e.getMessage());
        e = assertThrows(PackageException.class, () -> squash(env(), "el", "p:\n  arhc: amd64\n"));
        assertTrue(e.getMessage().startsWith("package-installs.yaml of element 'el', package 'p': unknown parameter"
                + " 'arhc'"), e.getMessage());
        e = assertThrows(PackageException.class, () -> squash(env(), "el", "p: install.d\n"));
        assertTrue(e.getMessage().contains("package 'p': the parameters must be a mapping"), e.getMessage());
        e = assertThrows(PackageException.class, () -> squash(env(), "el", "- a\n- b\n"));
        assertTrue(e.getMessage().contains("the top level must be a mapping"), e.getMessage());
    }

    @Test
    void readsJsonThenYamlOfAnElementAndReportsSyntaxErrors() throws Exception {
        Files.writeString(dir.resolve("package-installs.json"), "{\"libxml2\": null, \"grub2\": {\"phase\": \"pre-install.d\"}}");
        Files.writeString(dir.resolve("package-installs.yaml"), "vim:\n");
        PackageInstalls p = new PackageInstalls(env());
        assertEquals(2, p.addElement("both", dir).size());
        assertEquals(pairs("libxml2", "both", "vim", "both"), p.result().get("install.d").get("install"));
        assertEquals(pairs("grub2", "both"), p.result().get("pre-install.d").get("install"));
        Files.delete(dir.resolve("package-installs.json"));
        Files.writeString(dir.resolve("package-installs.yaml"), "vim:\n  phase: [unclosed\n");
        PackageException e = assertThrows(PackageException.class, () -> new PackageInstalls(env()).addElement("bad", dir));
        assertTrue(e.getMessage().startsWith("package-installs.yaml of element 'bad' is not valid JSON or YAML"),
                e.getMessage());
    }

    @Test
    void requestsOfAPhaseFromTheSquashedFile() throws Exception {
        var squashed = squash(env(), "a", "x:\ny:\n  uninstall: true\n");
        Object doc = yaml(dib.core.util.Json.write(squashed));
        assertEquals(List.of(new PackageInstalls.Request("x", "a")),
                PackageInstalls.requests(doc, "install.d", false, "f"));
        assertEquals(List.of(new PackageInstalls.Request("y", "a")),
                PackageInstalls.requests(doc, "install.d", true, "f"));
        assertEquals(List.of(), PackageInstalls.requests(doc, "pre-install.d", false, "f"));
    }
}

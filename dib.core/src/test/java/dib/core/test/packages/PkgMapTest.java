// SPDX-License-Identifier: Apache-2.0
package dib.core.test.packages;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.build.BuildContext;
import dib.core.element.Element;
import dib.core.element.ElementSet;
import dib.core.hook.HookCall;
import dib.core.internal.packages.PackageException;
import dib.core.internal.packages.PackageInstallsCommand;
import dib.core.internal.packages.PkgMap;
import dib.core.internal.packages.PkgMapCommand;
import dib.core.sandbox.Sandbox;

/** pkg-map resolution and exit statuses as upstream's pkg-map; package-installs squash/list through the command. */
class PkgMapTest {
    static final String NOVA = """
            {
              "release": {"fedora": {"23": {"nova_package": "foo bar"}}, "centos": {"8": {"nova_package": "eight"}}},
              "distro": {"fedora": {"nova_package": "openstack-compute", "glance_package": "openstack-image"}},
              "family": {"redhat": {"nova_package": "openstack-nova", "glance_package": "openstack-glance"},
                         "suse": {"nova_package": ""}},
              "default": {"nova_package": "nova", "glance_package": "glance"}
            }
            """;

    @TempDir
    Path dir;
    ByteArrayOutputStream out;
    ByteArrayOutputStream err;
    Map<String, String> env;

    @BeforeEach
    void setUp() throws Exception {
        Path nova = Files.createDirectories(dir.resolve("elements/nova-compute"));
        Files.writeString(nova.resolve("pkg-map"), NOVA);
        Files.writeString(nova.resolve("package-installs.yaml"), "nova_package:\nnot_mapped:\n");
        Files.createDirectories(dir.resolve("elements/no-map"));
        Files.writeString(dir.resolve("elements/no-map/package-installs.yaml"), "vim:\n  phase: post-install.d\n");
        Path bad = Files.createDirectories(dir.resolve("elements/bad-map"));
        Files.writeString(bad.resolve("pkg-map"), "{\"default\": [\"not\", \"a\", \"map\"]}");
        env = new HashMap<>(Map.of("DISTRO_NAME", "debian", "DIB_RELEASE", "bookworm", "ARCH", "amd64"));
    }

    static PkgMap map(String distro, String family, String release) throws PackageException {
        return PkgMap.of(new org.yaml.snakeyaml.Yaml().load(NOVA), "test map", distro, family, release);
    }

    @Test
    void mostSpecificSectionWins() throws Exception {
        assertEquals(List.of("openstack-compute"), map("fedora", "redhat", "40").map(List.of("nova_package"), false));
        assertEquals(List.of("foo", "bar"), map("fedora", "redhat", "23").map(List.of("nova_package"), false));
        assertEquals(List.of("openstack-nova", "openstack-glance"),
                map("rhel", "redhat", "9").map(List.of("nova_package", "glance_package"), false));
        assertEquals(List.of("nova"), map("ubuntu", "debian", "noble").map(List.of("nova_package"), false));
        assertEquals(List.of("eight"), map("centos", "redhat", "8-stream").map(List.of("nova_package"), false));
        // an empty mapping installs nothing
        assertEquals(List.of("glance"), map("opensuse", "suse", "15").map(List.of("nova_package", "glance_package"),
                false));
    }

    @Test
    void unmappedNamesFailUnlessMissingOk() throws Exception {
        PackageException e = assertThrows(PackageException.class,
                () -> map("debian", "debian", "bookworm").map(List.of("nova_package", "vim"), false));
        assertEquals("test map has no valid mapping for package vim", e.getMessage());
        assertEquals(List.of("nova", "vim"), map("debian", "debian", "bookworm").map(List.of("nova_package", "vim"), true));
    }

    int run(dib.core.hook.HookCommand cmd, String... args) throws Exception {
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        ElementSet set = new ElementSet(List.of("nova-compute"), List.of(
                new Element("nova-compute", dir.resolve("elements/nova-compute"), "test"),
                new Element("no-map", dir.resolve("elements/no-map"), "test"),
                new Element("bad-map", dir.resolve("elements/bad-map"), "test")), Map.of());
        Sandbox sb = (Sandbox) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Sandbox.class},
                (p, m, a) -> {
                    if (m.getName().equals("host")) {
                        return a[0];
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
        BuildContext build = (BuildContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BuildContext.class}, (p, m, a) -> switch (m.getName()) {
                    case "elements" -> set;
                    case "sandbox" -> sb;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        PrintStream o = new PrintStream(out, true, UTF_8);
        PrintStream e = new PrintStream(err, true, UTF_8);
        HookCall call = new HookCall() {
            @Override public BuildContext build() { return build; }
            @Override public List<String> arguments() { return List.of(args); }
            @Override public Map<String, String> environment() { return env; }
            @Override public Path workingDirectory() { return dir; }
            @Override public Path resolve(String p) { return dir.resolve(p); }
            @Override public PrintStream out() { return o; }
            @Override public PrintStream err() { return e; }
        };
        return cmd.run(call);
    }

    @Test
    void commandExitStatusesAsUpstream() throws Exception {
        PkgMapCommand cmd = new PkgMapCommand();
        assertEquals(0, run(cmd, "--element", "nova-compute", "--distro", "fedora", "nova_package", "glance_package"));
        assertEquals("openstack-compute\nopenstack-image\n", out.toString(UTF_8));
        assertEquals(0, run(cmd, "--element=nova-compute", "--prefix", "-", "--missing-ok", "nova_package", "other"));
        assertEquals("-nova\n-other\n", out.toString(UTF_8));
        assertEquals(1, run(cmd, "--element", "nova-compute", "nova_package", "other"));
        assertEquals("pkg-map: pkg-map of element 'nova-compute' has no valid mapping for package other\n",
                err.toString(UTF_8));
        assertEquals(2, run(cmd, "--element", "no-map", "vim"));
        assertEquals("pkg-map: element 'no-map' has no pkg-map\n", err.toString(UTF_8));
        assertEquals(0, run(cmd, "--element", "no-map", "--missing-ok", "vim"));
        assertEquals("vim\n", out.toString(UTF_8));
        assertEquals(1, run(cmd, "--element", "bad-map", "x"));
        assertEquals("pkg-map: pkg-map of element 'bad-map': default must be a mapping, not a list\n", err.toString(UTF_8));
        assertEquals(1, run(cmd, "nova_package"));
        assertEquals("pkg-map: please specify an --element argument\n", err.toString(UTF_8));
        env.remove("DISTRO_NAME");
        assertEquals(1, run(cmd, "--element", "nova-compute", "nova_package"));
        assertEquals("pkg-map: please specify a --distro argument or set DISTRO_NAME\n", err.toString(UTF_8));
        assertEquals(0, run(cmd, "--pkg-map", dir.resolve("elements/nova-compute/pkg-map").toString(), "--distro",
                "centos", "--release", "8-stream", "nova_package"));
        assertEquals("eight\n", out.toString(UTF_8));
        assertEquals(1, run(cmd, "--element", "../../etc", "--distro", "debian", "x"));
        assertTrue(err.toString(UTF_8).contains("'../../etc' is not an element name"), err.toString(UTF_8));
    }

    @Test
    void packageInstallsSquashesAndListsMappedPackages() throws Exception {
        PackageInstallsCommand cmd = new PackageInstallsCommand();
        assertEquals(0, run(cmd, "squash", "tmp/package-installs.json"));
        assertTrue(Files.readString(dir.resolve("tmp/package-installs.json")).contains("\"nova_package\""));
        assertEquals(0, run(cmd, "list", "--phase", "install.d", "tmp/package-installs.json"));
        assertEquals("nova nova-compute\nnot_mapped nova-compute\n", out.toString(UTF_8));
        assertEquals(0, run(cmd, "list", "--phase", "post-install.d", "tmp/package-installs.json"));
        assertEquals("vim no-map\n", out.toString(UTF_8));
        assertEquals(0, run(cmd, "list", "--phase", "install.d", "--uninstall", "tmp/package-installs.json"));
        assertEquals("", out.toString(UTF_8));
        // the deprecated package-installs-<element> files of a phase directory
        Files.createDirectories(dir.resolve("hooks/install.d"));
        Files.writeString(dir.resolve("hooks/install.d/package-installs-nova-compute"),
                "# comment\nglance_package\n-nova_package\n\n");
        assertEquals(0, run(cmd, "list", "--phase", "install.d", "--dir", "hooks/install.d", "tmp/package-installs.json"));
        assertEquals("nova nova-compute\nnot_mapped nova-compute\nglance nova-compute\n", out.toString(UTF_8));
        assertEquals(0, run(cmd, "list", "--phase", "install.d", "--uninstall", "--dir", "hooks/install.d",
                "tmp/package-installs.json"));
        assertEquals("nova nova-compute\n", out.toString(UTF_8));
        // a bad declaration: one line naming element, file and package; nothing written
        Files.writeString(dir.resolve("elements/no-map/package-installs.yaml"), "vim:\n  when: UNSET_VAR = 1\n");
        Files.delete(dir.resolve("tmp/package-installs.json"));
        assertEquals(1, run(cmd, "squash", "tmp/package-installs.json"));
        assertEquals("package-installs: package-installs.yaml of element 'no-map', package 'vim': when: 'UNSET_VAR = 1'"
                + " tests UNSET_VAR, which is not set (give it a default in an environment.d file)\n", err.toString(UTF_8));
        assertEquals(List.of(), List.of(dir.resolve("tmp").toFile().list()));
        assertEquals(1, run(cmd, "list", "--phase", "install.d", "tmp/package-installs.json"));
        assertTrue(err.toString(UTF_8).contains("tmp/package-installs.json is missing"), err.toString(UTF_8));
    }
}

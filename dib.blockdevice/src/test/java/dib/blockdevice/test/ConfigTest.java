// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.blockdevice.internal.ConfigEntry;
import dib.blockdevice.internal.ConfigParser;
import dib.blockdevice.internal.YamlLayout;
import dib.core.build.BuildException;
import dib.core.build.BuildRequest;

/** The configuration language: tree and graph forms, naming, call order, validation, where it comes from. */
class ConfigTest {
    private static final Set<String> KEYS = Set.of("local_loop", "partitioning", "mkfs", "mount", "fstab", "lvm");

    private static List<ConfigEntry> parse(String yaml) throws BuildException {
        return new ConfigParser(KEYS, "test").parse(yaml);
    }

    private static YamlLayout plan(Path dir, String config, String... env) throws Exception {
        BuildRequest.Builder r = BuildRequest.builder().env("DIB_BLOCK_DEVICE_CONFIG", config);
        for (int i = 0; i < env.length; i += 2) {
            r.env(env[i], env[i + 1]);
        }
        return Layers.layer().planLayout(new TestBuild(dir, null, r.build(), List.of()));
    }

    private static String planError(Path dir, String config, String... env) {
        return assertThrows(BuildException.class, () -> plan(dir, config, env)).getMessage();
    }

    private static final String TREE = tree("type: ext4");

    /** The tree form with {@code mkfs} lines of our own. */
    private static String tree(String... mkfsLines) {
        StringBuilder b = new StringBuilder();
        b.append("- local_loop:\n");
        b.append("    name: image0\n");
        b.append("    partitioning:\n");
        b.append("      label: mbr\n");
        b.append("      partitions:\n");
        b.append("        - name: root\n");
        b.append("          flags: [ boot, primary ]\n");
        b.append("          size: 100%\n");
        b.append("          mkfs:\n");
        for (String l : mkfsLines) {
            b.append("            ").append(l).append('\n');
        }
        b.append("            mount:\n");
        b.append("              mount_point: /\n");
        b.append("              fstab:\n");
        b.append("                options: defaults\n");
        b.append("                fsck-passno: 1\n");
        return b.toString();
    }

    private static final String GRAPH = """
            - local_loop:
                name: image0
            - partitioning:
                name: partitioning_image0
                base: image0
                label: mbr
                partitions:
                  - name: root
                    flags: [ boot, primary ]
                    size: 100%
                    base: image0
            - mkfs:
                name: mkfs_root
                base: root
                type: ext4
            - mount:
                name: mount_mkfs_root
                base: mkfs_root
                mount_point: /
            - fstab:
                name: fstab_mount_mkfs_root
                base: mount_mkfs_root
                options: defaults
                fsck-passno: 1
            """;

    @Test
    void treeFormIsTheGraphForm() throws Exception {
        assertEquals(new HashSet<>(parse(GRAPH)), new HashSet<>(parse(TREE)));
        assertEquals(parse(GRAPH), parse(GRAPH), "a graph passes unchanged");
        List<String> names = parse(TREE).stream().map(ConfigEntry::name).toList();
        assertEquals(List.of("fstab_mount_mkfs_root", "mount_mkfs_root", "mkfs_root", "partitioning_image0", "image0"),
                names, "children before their parents, as upstream");
    }

    @Test
    void deepTreeCallOrder(@TempDir Path dir) throws Exception {
        assertEquals(List.of("image0", "root", "mkfs_root", "mount_mkfs_root", "fstab_mount_mkfs_root"),
                plan(dir, TREE).callOrder());
        assertEquals(List.of("image0", "root", "mkfs_root", "mount_mkfs_root", "fstab_mount_mkfs_root"),
                plan(dir, GRAPH).callOrder());
    }

    @Test
    void partitionsAndMountsKeepTheirOrder(@TempDir Path dir) throws Exception {
        String config = """
                - local_loop:
                    name: image0
                - partitioning:
                    base: image0
                    label: mbr
                    partitions:
                      - name: root
                        flags: [ primary ]
                        size: 50%
                        mkfs:
                          type: ext4
                          mount:
                            mount_point: /
                      - name: var_log
                        size: 10%
                        mkfs:
                          type: vfat
                          label: varlog
                          mount:
                            mount_point: /var/log
                      - name: var
                        size: 20%
                        mkfs:
                          type: ext4
                          mount:
                            mount_point: /var
                      - name: swap
                        size: 100%
                        mkfs:
                          type: swap
                          mount:
                            mount_point: none
                """;
        YamlLayout l = plan(dir, config);
        List<String> o = l.callOrder();
        assertTrue(o.indexOf("root") < o.indexOf("var_log") && o.indexOf("var_log") < o.indexOf("var"), o.toString());
        for (String p : List.of("root", "var", "var_log", "swap")) {
            assertTrue(o.indexOf(p) < o.indexOf("mkfs_" + p), o.toString());
        }
        assertTrue(o.indexOf("mount_mkfs_root") < o.indexOf("mount_mkfs_var")
                && o.indexOf("mount_mkfs_var") < o.indexOf("mount_mkfs_var_log")
                && o.indexOf("mount_mkfs_var_log") < o.indexOf("mount_mkfs_swap"),
                "mount points in string order: " + o);
        assertEquals("/|/var/log|/var|none", l.environment().get("DIB_MOUNTPOINTS"), "configuration order");
    }

    @Test
    void rootSettingsMergeIntoMkfsRootOnly(@TempDir Path dir) throws Exception {
        YamlLayout xfs = plan(dir, tree("name: mkfs_root"), "FS_TYPE", "xfs");
        assertEquals(Map.of("DIB_ROOT_LABEL", "img-rootfs", "DIB_ROOT_FSTYPE", "xfs", "DIB_BOOT_LABEL", "img-rootfs",
                "DIB_MOUNTPOINTS", "/"), xfs.environment());
        YamlLayout explicit = plan(dir, TREE, "FS_TYPE", "xfs", "ROOT_LABEL", "mine");
        assertEquals("ext4", explicit.environment().get("DIB_ROOT_FSTYPE"), "an explicit type wins over FS_TYPE");
        assertEquals("mine", explicit.environment().get("DIB_ROOT_LABEL"));
        YamlLayout named = plan(dir, tree("type: ext4", "label: R"), "ROOT_LABEL", "mine");
        assertEquals("R", named.environment().get("DIB_ROOT_LABEL"), "an explicit label wins");
    }

    @Test
    void invalidConfigurationsFailWithOneLine(@TempDir Path dir) {
        String e = planError(dir, "- nosuch:\n    name: x\n");
        assertTrue(e.contains("config entry is not a plugin value: 'nosuch'"), e);
        e = planError(dir, "- local_loop:\n    name: a\n  mkfs:\n    name: b\n");
        assertTrue(e.contains("config entry top-level should be a single dict"), e);
        e = planError(dir, "local_loop: {}\n");
        assertTrue(e.contains("must be a YAML list"), e);
        e = planError(dir, "- local_loop:\n    name: image0\n- mkfs:\n    name: fs\n    base: this_is_not_a_node\n"
                + "    type: ext4\n    mount:\n      mount_point: /\n");
        assertTrue(e.contains("edge not defined: this_is_not_a_node->fs"), e);
        e = planError(dir, TREE + "- local_loop:\n    name: image0\n");
        assertTrue(e.contains("duplicate node name: image0"), e);
        e = planError(dir, tree("type: ext4", "label: abcdefghijklmnopq"));
        assertTrue(e.contains("label [abcdefghijklmnopq] too long for file system [ext4]: 17 > 16"), e);
        e = planError(dir, TREE.replace("[ boot, primary ]", "[ boot, bootable ]"));
        assertTrue(e.contains("partition 'root': unknown flag 'bootable'"), e);
        e = planError(dir, TREE.replace("label: mbr", "label: gpt"));
        assertTrue(e.contains("the primary flag is not supported for GPT partitions"), e);
        e = planError(dir, TREE.replace("label: mbr", "label: apm"));
        assertTrue(e.contains("label must be 'mbr' or 'gpt'"), e);
        e = planError(dir, TREE.replace("size: 100%", "size: 12 furlongs"));
        assertTrue(e.contains("partition 'root': "), e);
        e = planError(dir, TREE.replace("mount_point: /", "mount_point: /srv"));
        assertTrue(e.contains("no file system is mounted at '/'"), e);
        e = planError(dir, TREE + """
                - mkfs:
                    name: other
                    base: image0
                    type: ext4
                    label: cloudimg-rootfs
                """);
        assertTrue(e.contains("mkfs 'other': file system label [cloudimg-rootfs] used more than once"), e);
    }

    @Test
    void lvmIsValidatedAsUpstreamThenRefused(@TempDir Path dir) {
        String lvm = """
                - local_loop:
                    name: image0
                - lvm:
                    name: lvm
                    pvs:
                      - name: pv
                        base: image0
                    vgs:
                      - name: vg
                        base: [ nopv ]
                    lvs:
                      - name: lv
                        base: vg
                        size: 1G
                - mkfs:
                    name: mkfs_root
                    base: lv
                    type: ext4
                    mount:
                      mount_point: /
                """;
        assertTrue(planError(dir, lvm).contains("vg 'vg': base:nopv in vgs does not match a valid pvs"));
        String ok = lvm.replace("nopv", "pv");
        String e = planError(dir, ok);
        assertTrue(e.contains("lvm 'lvm': LVM needs device-mapper"), e);
    }

    @Test
    void configComesFromTheVariableTheElementsOrTheDefault(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("layout.yaml");
        Files.writeString(file, GRAPH);
        TestBuild fromFile = new TestBuild(dir.resolve("a"), null, BuildRequest.builder()
                .env("DIB_BLOCK_DEVICE_CONFIG", "file://" + file).build(), List.of());
        assertEquals(file.toString(), Layers.layer().planLayout(fromFile).source());
        TestBuild missing = new TestBuild(dir.resolve("b"), null, BuildRequest.builder()
                .env("DIB_BLOCK_DEVICE_CONFIG", "file://" + dir.resolve("nope.yaml")).build(), List.of());
        String e = assertThrows(BuildException.class, () -> Layers.layer().planLayout(missing)).getMessage();
        assertTrue(e.startsWith("DIB_BLOCK_DEVICE_CONFIG: cannot read " + dir.resolve("nope.yaml")), e);

        Path el1 = Files.createDirectories(dir.resolve("elements/one"));
        Path el2 = Files.createDirectories(dir.resolve("elements/two"));
        Files.writeString(el1.resolve("block-device-default.yaml"), GRAPH);
        Files.writeString(el1.resolve("block-device-amd64.yaml"), GRAPH);
        Files.writeString(el2.resolve("block-device-default.yaml"), TREE);
        TestBuild elements = new TestBuild(dir.resolve("c"), null, BuildRequest.builder().build(), List.of(el2, el1));
        assertEquals("element two: block-device-default.yaml", Layers.layer().planLayout(elements).source(),
                "the first element in expansion order wins");
        TestBuild arch = new TestBuild(dir.resolve("d"), null, BuildRequest.builder().build(), List.of(el1, el2));
        assertEquals("element one: block-device-amd64.yaml", Layers.layer().planLayout(arch).source());
        TestBuild none = new TestBuild(dir.resolve("e"), null, BuildRequest.builder().build(), List.of());
        YamlLayout fallback = Layers.layer().planLayout(none);
        assertEquals("the built-in default", fallback.source());
        assertEquals(List.of("image0", "mkfs_root", "mount_mkfs_root", "fstab_mount_mkfs_root"), fallback.callOrder());
    }

    @Test
    void shippedLayoutsPlan(@TempDir Path dir) throws Exception {
        for (String e : List.of("block-device-mbr", "block-device-gpt", "block-device-efi")) {
            TestBuild b = new TestBuild(dir.resolve(e), null, BuildRequest.builder().build(), Fixtures.elements(e));
            YamlLayout l = Layers.layer().planLayout(b);
            assertEquals("element " + e + ": block-device-default.yaml", l.source());
            assertEquals("cloudimg-rootfs", l.environment().get("DIB_ROOT_LABEL"));
        }
    }
}

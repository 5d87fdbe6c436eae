// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.service.component.annotations.Component;

import dib.blockdevice.CreateContext;
import dib.blockdevice.Node;
import dib.blockdevice.NodeType;
import dib.blockdevice.PlanContext;
import dib.core.build.BuildException;

/**
 * {@code lvm}: read and validated as upstream does ({@code pvs}, {@code vgs}, {@code lvs}
 * with their references, one synchronising node that the physical volumes follow), so the
 * graph and its errors are upstream's. Logical volumes need the kernel's device-mapper;
 * planning fails, before anything is created, with a message saying so.
 */
@Component(service = NodeType.class, property = NodeType.KEY + "=lvm")
public final class LvmType implements NodeType {
    @Override
    public List<Node> parse(Map<String, Object> config, PlanContext plan) throws BuildException {
        EntryReader r = new EntryReader(config, plan, "lvm");
        String name = r.required("name");
        for (String k : List.of("pvs", "vgs", "lvs")) {
            if (!r.has(k)) {
                throw r.error("needs '" + k + "'");
            }
        }
        List<Node> pvs = new ArrayList<>();
        Set<String> pvBases = new LinkedHashSet<>();
        Set<String> pvNames = new LinkedHashSet<>();
        for (Map<String, Object> c : r.maps("pvs")) {
            EntryReader p = r.nested(c, "pv '" + c.get("name") + "'");
            String pv = p.required("name");
            String base = p.required("base");
            pvBases.add(base);
            pvNames.add(pv);
            pvs.add(new Placeholder(pv, List.of()));
        }
        List<Node> vgs = new ArrayList<>();
        Set<String> vgNames = new LinkedHashSet<>();
        for (Map<String, Object> c : r.maps("vgs")) {
            EntryReader v = r.nested(c, "vg '" + c.get("name") + "'");
            String vg = v.required("name");
            v.required("base");
            List<String> bases = v.words("base");
            for (String b : bases) {
                if (!pvNames.contains(b)) {
                    throw v.error("base:" + b + " in vgs does not match a valid pvs");
                }
            }
            vgNames.add(vg);
            vgs.add(new Placeholder(vg, bases));
        }
        List<Node> lvs = new ArrayList<>();
        for (Map<String, Object> c : r.maps("lvs")) {
            EntryReader l = r.nested(c, "lv '" + c.get("name") + "'");
            String lv = l.required("name");
            String base = l.required("base");
            if (!l.has("size") && !l.has("extents")) {
                throw l.error("needs 'size' or 'extents'");
            }
            if (!vgNames.contains(base)) {
                throw l.error("base:" + base + " in lvs does not match a valid vg");
            }
            lvs.add(new Placeholder(lv, List.of(base)));
        }
        List<Node> nodes = new ArrayList<>(pvs);
        nodes.addAll(vgs);
        nodes.addAll(lvs);
        nodes.add(new LvmNode(name, List.copyOf(pvBases), List.copyOf(pvNames)));
        return nodes;
    }

    /** @return why logical volumes cannot be made here */
    static String whyNot() {
        if (!Files.exists(Path.of("/dev/mapper/control"))) {
            return "this machine's kernel has no device-mapper (/dev/mapper/control is missing)";
        }
        return "dib.blockdevice does not create logical volumes (device-mapper devices outlive the build's"
                + " sandbox)";
    }

    private record Placeholder(String name, List<String> from) implements Node {
        @Override
        public List<String> after(PlanContext plan) {
            return from;
        }

        @Override
        public void create(CreateContext ctx) throws BuildException {
            throw new BuildException("lvm '" + name + "': " + whyNot());
        }
    }

    private record LvmNode(String name, List<String> pvBases, List<String> pvs) implements Node {
        @Override
        public List<String> after(PlanContext plan) {
            return pvBases;
        }

        @Override
        public List<String> before(PlanContext plan) {
            return pvs;
        }

        @Override
        public void check(PlanContext plan) throws BuildException {
            throw new BuildException("block-device config (" + plan.source() + "): lvm '" + name
                    + "': LVM needs device-mapper: " + whyNot() + "; use a layout without lvm");
        }

        @Override
        public void create(CreateContext ctx) throws BuildException {
            throw new BuildException("lvm '" + name + "': " + whyNot());
        }
    }
}

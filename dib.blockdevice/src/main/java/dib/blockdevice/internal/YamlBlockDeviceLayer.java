// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dib.blockdevice.Node;
import dib.blockdevice.NodeType;
import dib.core.build.BuildContext;
import dib.core.build.BuildException;
import dib.core.image.BlockDeviceLayer;
import dib.core.image.DiskLayout;

/**
 * The block-device layer of upstream's modern diskimage-builder: the YAML configuration
 * (see {@link ConfigSource}) read into a graph of nodes made by the registered
 * {@link NodeType} services, planned when the build starts and created from the finished
 * tree without device-mapper, loop partition devices or nbd.
 */
@Component(service = BlockDeviceLayer.class)
public final class YamlBlockDeviceLayer implements BlockDeviceLayer {
    private final LayoutRegistry registry;
    private final Map<String, NodeType> types = new TreeMap<>();

    @Activate
    public YamlBlockDeviceLayer(@Reference LayoutRegistry registry) {
        this.registry = registry;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void addNodeType(NodeType type, Map<String, Object> properties) {
        Object key = properties.get(NodeType.KEY);
        if (key != null) {
            synchronized (types) {
                types.put(String.valueOf(key), type);
            }
        }
    }

    public void removeNodeType(NodeType type, Map<String, Object> properties) {
        synchronized (types) {
            types.values().removeIf(t -> t == type);
        }
    }

    @Override
    public DiskLayout plan(BuildContext ctx) throws BuildException {
        return planLayout(ctx);
    }

    /** {@link #plan} with the concrete type, for the tests and the bootloader. */
    public YamlLayout planLayout(BuildContext ctx) throws BuildException {
        Map<String, NodeType> known;
        synchronized (types) {
            known = new LinkedHashMap<>(types);
        }
        ConfigSource src = ConfigSource.choose(ctx);
        List<ConfigEntry> entries = new ConfigParser(known.keySet(), src.source()).parse(src.text());
        Params params = new Params(ctx);
        params.mergeRoot(entries);
        RootInfo root = RootInfo.of(entries, src.source());
        params.mergeRootOptions(entries, root.fsType());

        NodeGraph graph = new NodeGraph();
        PlanState plan = new PlanState(ctx, src.source(), graph);
        for (ConfigEntry e : entries) {
            List<Node> nodes = known.get(e.key()).parse(e.values(), plan);
            if (nodes.isEmpty()) {
                throw new BuildException("block-device config (" + src.source() + "): entry '" + e.name()
                        + "' produced no node");
            }
            for (Node n : nodes) {
                graph.add(n, src.source());
            }
        }
        graph.connect(plan);
        List<Node> order = graph.order(src.source());
        for (Node n : order) {
            n.check(plan);
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DIB_ROOT_LABEL", root.label());
        env.put("DIB_ROOT_FSTYPE", root.fsType());
        env.put("DIB_BOOT_LABEL", root.bootLabel());
        env.put("DIB_MOUNTPOINTS", String.join("|", root.mountPoints().values()));
        ctx.log("block device: config from " + src.source() + ", call order " + names(order));
        return new YamlLayout(ctx, registry, src.source(), order, env, root.mountPoints(), params, root.fsType());
    }

    private static String names(List<Node> order) {
        List<String> n = new ArrayList<>();
        for (Node x : order) {
            n.add(x.name());
        }
        return String.join(" ", n);
    }
}

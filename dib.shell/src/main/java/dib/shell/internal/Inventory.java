// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import dib.core.element.ElementBundles;

/**
 * The bundles that extend dib, seen from outside: those that carry elements (from the
 * element extender) and those that register dib's plug-in services (distributions, output
 * formats, block-device layers and node types, hook commands), plus anything in the
 * deploy folder. Services are recognised by their object class and service properties,
 * so dib.shell needs no wiring to the bundles that define them.
 */
final class Inventory {
    static final String DISTRIBUTION = "dib.core.distro.Distribution";
    static final String OUTPUT_FORMAT = "dib.core.image.OutputFormat";
    static final String BLOCK_DEVICE_LAYER = "dib.core.image.BlockDeviceLayer";
    static final String HOOK_COMMAND = "dib.core.hook.HookCommand";
    /** The service property of dib.blockdevice's node types (the YAML key they handle). */
    static final String NODE_TYPE_KEY = "dib.blockdevice.node";

    /** One bundle and what it offers; lists are empty when it offers nothing of that kind. */
    record Row(long id, String bundle, String version, String origin, String state, String problem,
            List<String> elements, List<String> distros, List<String> outputs, List<String> nodeTypes,
            List<String> hookCommands, boolean blockDeviceLayer, String location) {

        /** @return what the bundle offers, as one short text */
        String offers() {
            List<String> parts = new ArrayList<>();
            add(parts, "elements", elements);
            String s = services();
            if (!s.isEmpty()) {
                parts.add(s);
            }
            return String.join("; ", parts);
        }

        /** @return the services the bundle offers (not its elements), as one short text */
        String services() {
            List<String> parts = new ArrayList<>();
            add(parts, "distros", distros);
            add(parts, "outputs", outputs);
            if (blockDeviceLayer) {
                parts.add("block-device layer");
            }
            add(parts, "block-device nodes", nodeTypes);
            add(parts, "dib-call", hookCommands);
            return String.join("; ", parts);
        }

        private static void add(List<String> parts, String kind, List<String> names) {
            if (!names.isEmpty()) {
                parts.add(kind + ": " + String.join(" ", names));
            }
        }
    }

    private final ElementBundles elements;
    private final BundleContext context;

    /**
     * @param elements the element extender
     * @param context  the framework, or null to list element bundles only
     */
    Inventory(ElementBundles elements, BundleContext context) {
        this.elements = elements;
        this.context = context;
    }

    /** @return the rows, in bundle id order */
    List<Row> rows() {
        Map<Long, ElementBundles.Info> infos = new TreeMap<>();
        for (ElementBundles.Info i : elements.bundles()) {
            infos.put(i.bundleId(), i);
        }
        List<Row> rows = new ArrayList<>();
        if (context == null) {
            for (ElementBundles.Info i : infos.values()) {
                rows.add(new Row(i.bundleId(), i.symbolicName(), i.version(), "", "active", i.problem(), i.elements(),
                        List.of(), List.of(), List.of(), List.of(), false, ""));
            }
            return rows;
        }
        Path deploy = DeployFolder.find(context);
        for (Bundle b : context.getBundles()) {
            ElementBundles.Info info = infos.get(b.getBundleId());
            List<String> distros = new ArrayList<>();
            List<String> outputs = new ArrayList<>();
            List<String> nodes = new ArrayList<>();
            List<String> hooks = new ArrayList<>();
            boolean layer = false;
            ServiceReference<?>[] refs = b.getRegisteredServices();
            for (ServiceReference<?> r : refs == null ? new ServiceReference<?>[0] : refs) {
                List<String> classes = List.of((String[]) r.getProperty("objectClass"));
                if (classes.contains(DISTRIBUTION)) {
                    distros.add(String.valueOf(r.getProperty("dib.distro.name") != null
                            ? r.getProperty("dib.distro.name") : distroName(r)));
                }
                if (classes.contains(OUTPUT_FORMAT) && r.getProperty("dib.output.type") != null) {
                    outputs.add(String.valueOf(r.getProperty("dib.output.type")));
                }
                if (classes.contains(BLOCK_DEVICE_LAYER)) {
                    layer = true;
                }
                if (classes.contains(HOOK_COMMAND) && r.getProperty("dib.hook.command") != null) {
                    hooks.add(String.valueOf(r.getProperty("dib.hook.command")));
                }
                if (r.getProperty(NODE_TYPE_KEY) != null) {
                    nodes.add(String.valueOf(r.getProperty(NODE_TYPE_KEY)));
                }
            }
            boolean deployed = DeployFolder.holds(deploy, b);
            if (info == null && distros.isEmpty() && outputs.isEmpty() && nodes.isEmpty() && hooks.isEmpty() && !layer
                    && !deployed) {
                continue;
            }
            distros.sort(null);
            outputs.sort(null);
            nodes.sort(null);
            hooks.sort(null);
            rows.add(new Row(b.getBundleId(), String.valueOf(b.getSymbolicName()), b.getVersion().toString(),
                    deployed ? "deploy" : "", state(b), info == null ? null : info.problem(),
                    info == null ? List.of() : info.elements(), distros, outputs, nodes, hooks, layer, b.getLocation()));
        }
        // files in the deploy folder that never became a bundle (FileInstall only logs those)
        if (deploy != null && Files.isDirectory(deploy)) {
            try (var s = Files.list(deploy)) {
                for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                    if (!Files.isRegularFile(p) || p.getFileName().toString().startsWith(".")
                            || rows.stream().anyMatch(r -> p.equals(DeployFolder.fileOf(context, r.id())))) {
                        continue;
                    }
                    String bsn = DeployFolder.symbolicName(p);
                    rows.add(new Row(-1, p.getFileName().toString(), "", "deploy",
                            bsn == null ? "not installed: not a bundle" : "not installed (yet)", null, List.of(),
                            List.of(), List.of(), List.of(), List.of(), false, p.toUri().toString()));
                }
            } catch (IOException e) {
                // an unreadable folder: the bundles above are all there is to say
            }
        }
        return rows;
    }

    private String distroName(ServiceReference<?> r) {
        Object s = context.getService(r);
        try {
            if (s != null) {
                return String.valueOf(s.getClass().getMethod("name").invoke(s));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // fall through
        } finally {
            if (s != null) {
                context.ungetService(r);
            }
        }
        return "?";
    }

    static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.ACTIVE -> "active";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.INSTALLED -> "installed";
            default -> "uninstalled";
        };
    }
}

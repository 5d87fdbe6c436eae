// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dib.core.element.Catalog;
import dib.core.element.Element;
import dib.core.element.ElementException;
import dib.core.element.ElementRepository;
import dib.core.image.BlockDeviceLayer;
import dib.core.image.OutputFormat;
import dib.core.util.Json;

/**
 * {@code layouts}: what the block-device layer offers right now. The elements that provide
 * {@code block-device} (each brings a YAML layout, as upstream's {@code block-device-*}),
 * the {@link BlockDeviceLayer} services and which one builds use, the node types a YAML
 * layout may use (services with the {@value Inventory#NODE_TYPE_KEY} property) and the
 * output types for {@code -t}. Everything is read from the service registry at the time of
 * the call, so a bundle installed a moment ago is listed.
 */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=layouts" })
public final class LayoutsCommand extends DibCommand {
    private final BundleContext context;
    private final ElementRepository repository;

    @Activate
    public LayoutsCommand(BundleContext context, @Reference ElementRepository repository) {
        this.context = context;
        this.repository = repository;
    }

    @Override
    protected String name() {
        return "layouts";
    }

    @Override
    protected String summary() {
        return "block-device layouts, layers, node types and output types";
    }

    @Override
    protected String usage() {
        return "[--json]";
    }

    @Override
    protected String help() {
        return """
                Lists the block-device strategies available now: the layout elements (elements that
                provide block-device, each with its block-device-*.yaml; DIB_BLOCK_DEVICE_CONFIG
                overrides them), the block-device layer builds use (the highest service ranking),
                the node types a YAML layout may use (local_loop, partitioning, mkfs, ...) and the
                output types -t accepts. Without a block-device layer only tree outputs (tar, ...)
                can be built.

                  --json   print JSON
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) throws Exception {
        Getopt.Result r = new Getopt("layouts", "", "json").parse(args);
        noOperands(r);
        List<Map<String, Object>> layoutElements = layoutElements(session);
        List<Map<String, Object>> layers = layers();
        List<Map<String, Object>> nodes = nodeTypes();
        List<Map<String, Object>> outputs = outputTypes();
        PrintStream out = out();
        if (r.has("json")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layoutElements", layoutElements);
            m.put("layers", layers);
            m.put("nodeTypes", nodes);
            m.put("outputTypes", outputs);
            out.println(Json.pretty(m));
            out.flush();
            return null;
        }
        out.println("Layout elements (provide block-device; DIB_BLOCK_DEVICE_CONFIG overrides them):");
        Table t = new Table("ELEMENT", "SOURCE", "CONFIG");
        layoutElements.forEach(m -> t.row(m.get("name"), m.get("source"), join(m.get("config"))));
        out.print(layoutElements.isEmpty() ? "  none\n" : t);
        out.println();
        out.println("Block-device layer:");
        Table l = new Table("BUNDLE", "RANKING", "USED");
        layers.forEach(m -> l.row(m.get("bundle"), m.get("ranking"), Boolean.TRUE.equals(m.get("used")) ? "yes" : "no"));
        out.print(layers.isEmpty() ? "  none: only tree outputs (tar, ...) can be built; install dib.blockdevice\n" : l);
        out.println();
        out.println("Node types (keys of a YAML layout):");
        Table n = new Table("KEY", "BUNDLE");
        nodes.forEach(m -> n.row(m.get("key"), m.get("bundle")));
        out.print(nodes.isEmpty() ? "  none\n" : n);
        out.println();
        out.println("Output types (-t)" + (layers.isEmpty() ? "" : "; any other format qemu-img knows also works")
                + ":");
        Table o = new Table("TYPE", "INPUT", "EXTENSION", "BUNDLE");
        outputs.forEach(m -> o.row(m.get("type"), m.get("input"), m.get("extension"), m.get("bundle")));
        out.print(outputs.isEmpty() ? "  none\n" : o);
        out.flush();
        return null;
    }

    private static String join(Object list) {
        return list instanceof List<?> l ? String.join(" ", l.stream().map(String::valueOf).toList()) : "";
    }

    private List<Map<String, Object>> layoutElements(CommandSession session) {
        Catalog c;
        try {
            c = repository.catalog(ElementRepository.parsePath(variable(session, "ELEMENTS_PATH")));
        } catch (ElementException e) {
            throw new CommandFailure(1, e.getMessage());
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Element e : c.elements().values()) {
            boolean provides;
            try {
                provides = e.provides().contains("block-device");
            } catch (ElementException ex) {
                continue; // 'elements' shows unreadable elements
            }
            if (!provides) {
                continue;
            }
            List<String> config = new ArrayList<>();
            try (var s = Files.list(e.path())) {
                s.map(p -> p.getFileName().toString()).filter(f -> f.matches("block-device-.*\\.yaml")).sorted()
                        .forEach(config::add);
            } catch (IOException ex) {
                // listed without its files
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", e.name());
            m.put("source", e.origin());
            m.put("path", e.path().toString());
            m.put("config", config);
            rows.add(m);
        }
        rows.sort(Comparator.comparing(m -> String.valueOf(m.get("name"))));
        return rows;
    }

    private List<Map<String, Object>> layers() throws InvalidSyntaxException {
        List<ServiceReference<BlockDeviceLayer>> refs = new ArrayList<>(
                context.getServiceReferences(BlockDeviceLayer.class, null));
        // the engine uses the highest ranking (then the oldest): the greatest reference
        ServiceReference<BlockDeviceLayer> used = refs.stream().max(Comparator.naturalOrder()).orElse(null);
        refs.sort(Comparator.reverseOrder());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ServiceReference<BlockDeviceLayer> ref : refs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bundle", bundle(ref.getBundle()));
            m.put("ranking", ref.getProperty("service.ranking") instanceof Integer i ? i : 0);
            m.put("used", ref.equals(used));
            rows.add(m);
        }
        return rows;
    }

    private List<Map<String, Object>> nodeTypes() throws InvalidSyntaxException {
        ServiceReference<?>[] refs = context.getServiceReferences((String) null, "(" + Inventory.NODE_TYPE_KEY + "=*)");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", String.valueOf(ref.getProperty(Inventory.NODE_TYPE_KEY)));
            m.put("bundle", bundle(ref.getBundle()));
            rows.add(m);
        }
        rows.sort(Comparator.comparing(m -> String.valueOf(m.get("key"))));
        return rows;
    }

    private List<Map<String, Object>> outputTypes() throws InvalidSyntaxException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ServiceReference<OutputFormat> ref : context.getServiceReferences(OutputFormat.class,
                "(" + OutputFormat.TYPE + "=*)")) {
            OutputFormat f = context.getService(ref);
            if (f == null) {
                continue;
            }
            try {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("type", String.valueOf(ref.getProperty(OutputFormat.TYPE)));
                m.put("input", f.source() == OutputFormat.Source.DISK ? "disk" : "tree");
                m.put("extension", f.extension());
                m.put("bundle", bundle(ref.getBundle()));
                rows.add(m);
            } finally {
                context.ungetService(ref);
            }
        }
        rows.sort(Comparator.comparing(m -> String.valueOf(m.get("type"))));
        return rows;
    }

    private static String bundle(Bundle b) {
        return b == null ? "?" : b.getSymbolicName() + " " + b.getVersion();
    }
}

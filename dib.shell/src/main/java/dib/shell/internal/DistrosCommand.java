// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import dib.core.distro.Distribution;
import dib.core.util.Json;

/** {@code distros}: the distribution services installed. */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=distros" })
public final class DistrosCommand extends DibCommand {
    private final List<Map.Entry<Distribution, String>> distros = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addDistribution(Distribution d, ServiceReference<Distribution> ref) {
        distros.add(Map.entry(d, ref.getBundle() == null ? "?" : ref.getBundle().getSymbolicName()));
    }

    void removeDistribution(Distribution d, ServiceReference<Distribution> ref) {
        distros.removeIf(e -> e.getKey() == d);
    }

    @Override
    protected String name() {
        return "distros";
    }

    @Override
    protected String usage() {
        return "[--json]";
    }

    @Override
    protected String help() {
        return """
                Lists the distribution services: name (DISTRO_NAME), family, default release, known
                releases, package manager, the elements that use it and the bundle it comes from.

                  --json   print JSON
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) {
        Getopt.Result r = new Getopt("distros", "", "json").parse(args);
        PrintStream out = out(session);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map.Entry<Distribution, String> e : distros) {
            Distribution d = e.getKey();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", d.name());
            m.put("family", d.family());
            m.put("defaultRelease", d.defaultRelease());
            m.put("releases", d.releases());
            m.put("packageManager", d.packageManager());
            m.put("elements", d.elements());
            m.put("bundle", e.getValue());
            rows.add(m);
        }
        rows.sort((a, b) -> String.valueOf(a.get("name")).compareTo(String.valueOf(b.get("name"))));
        if (r.has("json")) {
            out.println(Json.pretty(rows));
        } else {
            Table t = new Table("NAME", "FAMILY", "DEFAULT", "PACKAGES", "ELEMENTS", "BUNDLE");
            for (Map<String, Object> m : rows) {
                t.row(m.get("name"), m.get("family"), m.get("defaultRelease"), m.get("packageManager"),
                        String.join(" ", (List<String>) m.get("elements")), m.get("bundle"));
            }
            out.print(t);
        }
        out.flush();
        return null;
    }
}

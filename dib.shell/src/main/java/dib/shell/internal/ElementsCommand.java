// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dib.core.element.Catalog;
import dib.core.element.Element;
import dib.core.element.ElementException;
import dib.core.element.ElementRepository;
import dib.core.util.Json;

/** {@code elements}: every known element and where it comes from. */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=elements" })
public final class ElementsCommand extends DibCommand {
    private final ElementRepository repository;

    @Activate
    public ElementsCommand(@Reference ElementRepository repository) {
        this.repository = repository;
    }

    @Override
    protected String name() {
        return "elements";
    }

    @Override
    protected String summary() {
        return "every element: source (directory or bundle), provides, depends";
    }

    @Override
    protected String usage() {
        return "[-a|--all] [--json] [NAME...]";
    }

    @Override
    protected String help() {
        return """
                Lists the elements visible to a build: those of ELEMENTS_PATH first, then those of the
                installed element bundles. Each row gives the element, its source (a directory or a
                bundle), what it provides and what it depends on.

                  -a, --all   also list elements hidden by an element of the same name found earlier
                  --json      print JSON instead of a table
                  NAME...     only these elements
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) {
        Getopt.Result r = new Getopt("elements", "a", "all", "json").alias("all", "a").parse(args);
        Catalog c;
        try {
            c = repository.catalog(ElementRepository.parsePath(variable(session, "ELEMENTS_PATH")));
        } catch (ElementException e) {
            throw new CommandFailure(1, e.getMessage());
        }
        List<Element> list = new ArrayList<>(c.elements().values());
        if (r.has("a")) {
            list.addAll(c.shadowed());
        }
        if (!r.operands().isEmpty()) {
            list.removeIf(e -> !r.operands().contains(e.name()));
            for (String n : r.operands()) {
                if (list.stream().noneMatch(e -> e.name().equals(n))) {
                    throw new CommandFailure(1, "elements: no element named '" + n + "' in " + String.join(", ",
                            c.origins()));
                }
            }
        }
        PrintStream out = out();
        if (r.has("json")) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Element e : list) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", e.name());
                m.put("source", e.origin());
                m.put("path", e.path().toString());
                m.put("provides", safe(() -> List.copyOf(e.provides())));
                m.put("deps", safe(() -> List.copyOf(e.dependencies())));
                m.put("shadowed", c.shadowed().contains(e));
                rows.add(m);
            }
            out.println(Json.pretty(rows));
        } else {
            Table t = new Table("ELEMENT", "SOURCE", "PROVIDES", "DEPENDS");
            for (Element e : list) {
                t.row(e.name() + (c.shadowed().contains(e) ? " (hidden)" : ""), e.origin(),
                        String.join(",", safe(() -> List.copyOf(e.provides()))),
                        String.join(",", safe(() -> List.copyOf(e.dependencies()))));
            }
            out.print(t);
        }
        out.flush();
        return null;
    }

    private static List<String> safe(java.util.function.Supplier<List<String>> s) {
        try {
            return s.get();
        } catch (ElementException e) {
            return List.of("<" + e.getMessage() + ">");
        }
    }
}

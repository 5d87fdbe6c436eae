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

import dib.core.element.Element;
import dib.core.element.ElementException;
import dib.core.element.ElementRepository;
import dib.core.element.ElementSet;
import dib.core.util.Json;
import dib.core.util.Shell;

/** {@code element-info}: upstream's dependency expansion tool. */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=element-info" })
public final class ElementInfoCommand extends DibCommand {
    private final ElementRepository repository;

    @Activate
    public ElementInfoCommand(@Reference ElementRepository repository) {
        this.repository = repository;
    }

    @Override
    protected String name() {
        return "element-info";
    }

    @Override
    protected String summary() {
        return "expand element dependencies (upstream's element-info)";
    }

    @Override
    protected String usage() {
        return "[-d|--expand-dependencies] [-e|--env] ELEMENT...";
    }

    @Override
    protected String help() {
        return """
                Expands ELEMENT... through element-deps and element-provides and prints the result.
                Elements are searched in ELEMENTS_PATH (colon-separated, first match wins), then in
                the element bundles installed in dib.

                  -d, --expand-dependencies  print the expanded element names, space separated (default)
                  -e, --env                  print eval-able bash defining IMAGE_ELEMENT,
                                             IMAGE_ELEMENT_YAML and get_image_element_array
                  --json                     print the requested and expanded elements with the
                                             directory and source of each, and the providers
                  -h, --help                 this help
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) {
        Getopt.Result r = new Getopt("element-info", "de", "expand-dependencies", "env", "json")
                .alias("expand-dependencies", "d").alias("env", "e").parse(args);
        if (r.operands().isEmpty()) {
            throw CommandFailure.usage("element-info: at least one element is required (usage: element-info "
                    + usage() + ")");
        }
        ElementSet set;
        try {
            set = repository.catalog(ElementRepository.parsePath(variable(session, "ELEMENTS_PATH")))
                    .expand(r.operands());
        } catch (ElementException e) {
            throw new CommandFailure(1, e.getMessage());
        }
        PrintStream out = out();
        if (r.has("json")) {
            List<Map<String, Object>> elements = new ArrayList<>();
            for (Element e : set.elements()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", e.name());
                m.put("path", e.path().toString());
                m.put("source", e.origin());
                elements.add(m);
            }
            Map<String, Object> providers = new LinkedHashMap<>();
            set.providers().forEach((k, v) -> providers.put(k, v.name()));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("requested", set.requested());
            m.put("elements", elements);
            m.put("providers", providers);
            out.println(Json.pretty(m));
        } else if (r.has("e")) {
            out.print(envScript(set));
        } else {
            out.println(set.imageElement());
        }
        out.flush();
        return null;
    }

    /** The bash that upstream's {@code element-info --env} prints. */
    static String envScript(ElementSet set) {
        return "export IMAGE_ELEMENT=" + Shell.quote(set.imageElement()) + "\n"
                + "export IMAGE_ELEMENT_YAML=" + Shell.quote(set.imageElementYaml()) + "\n"
                + "function get_image_element_array {\n"
                + "  echo " + Shell.quote(set.imageElementArray()) + "\n"
                + "};\n"
                + "export -f get_image_element_array;\n";
    }
}

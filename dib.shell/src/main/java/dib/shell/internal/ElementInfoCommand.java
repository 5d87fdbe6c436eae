// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.PrintStream;
import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dib.core.element.ElementException;
import dib.core.element.ElementRepository;
import dib.core.element.ElementSet;
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
                  -h, --help                 this help
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) {
        Getopt.Result r = new Getopt("element-info", "de", "expand-dependencies", "env")
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
        PrintStream out = out(session);
        if (r.has("e")) {
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

// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.PrintStream;
import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dib.core.element.ElementBundles;
import dib.core.util.Json;

/** {@code bundles}: the bundles that extend dib (elements, distributions, ...) with their versions. */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=bundles" })
public final class BundlesCommand extends DibCommand {
    private final Inventory inventory;

    @Activate
    public BundlesCommand(BundleContext context, @Reference ElementBundles bundles) {
        this.inventory = new Inventory(bundles, context);
    }

    /** Element bundles only, without a framework (tests). */
    public BundlesCommand(ElementBundles bundles) {
        this.inventory = new Inventory(bundles, null);
    }

    @Override
    protected String name() {
        return "bundles";
    }

    @Override
    protected String summary() {
        return "the bundles that extend dib (elements, distributions, ...) with versions";
    }

    @Override
    protected String usage() {
        return "[--json]";
    }

    @Override
    protected String help() {
        return """
                Lists the bundles that extend dib: those carrying elements (manifest header
                DIB-Elements), those registering distributions, output formats, block-device layers
                or node types and dib-call commands, and every file in the deploy folder. Columns:
                bundle id, symbolic name, version, origin ('deploy': added with 'install' or dropped
                into the deploy folder, removable with 'uninstall'; empty: part of dib's runtime or
                installed otherwise), state, the services it registers (distros, outputs, block-
                device layer and nodes, dib-call commands) and its elements. A rejected element
                bundle offers none of its elements; the STATE column says why.

                  --json   print JSON instead of a table
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) {
        Getopt.Result r = new Getopt("bundles", "", "json").parse(args);
        noOperands(r);
        List<Inventory.Row> rows = inventory.rows();
        PrintStream out = out();
        if (r.has("json")) {
            out.println(Json.pretty(rows));
        } else {
            Table t = new Table("ID", "BUNDLE", "VERSION", "ORIGIN", "STATE", "SERVICES", "ELEMENTS");
            for (Inventory.Row i : rows) {
                t.row(i.id() < 0 ? "-" : i.id(), i.bundle(), i.version(), i.origin(), i.problem() == null ? i.state()
                        : "rejected: " + i.problem(), i.services(), String.join(" ", i.elements()));
            }
            out.print(t);
        }
        out.flush();
        return null;
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.PrintStream;
import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dib.core.element.ElementBundles;
import dib.core.util.Json;

/** {@code bundles}: the element bundles dib knows, with their state. */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=bundles" })
public final class BundlesCommand extends DibCommand {
    private final ElementBundles bundles;

    @Activate
    public BundlesCommand(@Reference ElementBundles bundles) {
        this.bundles = bundles;
    }

    @Override
    protected String name() {
        return "bundles";
    }

    @Override
    protected String usage() {
        return "[--json]";
    }

    @Override
    protected String help() {
        return """
                Lists the installed bundles that carry elements (manifest header DIB-Elements): bundle
                id, symbolic name, version, state and the elements they offer. A rejected bundle's
                elements are not offered; the STATE column says why.

                  --json   print JSON instead of a table
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) {
        Getopt.Result r = new Getopt("bundles", "", "json").parse(args);
        if (!r.operands().isEmpty()) {
            throw CommandFailure.usage("bundles: unexpected argument '" + r.operands().get(0) + "'");
        }
        List<ElementBundles.Info> list = bundles.bundles();
        PrintStream out = out(session);
        if (r.has("json")) {
            out.println(Json.pretty(list));
        } else {
            Table t = new Table("ID", "BUNDLE", "VERSION", "STATE", "ELEMENTS");
            for (ElementBundles.Info i : list) {
                t.row(i.bundleId(), i.symbolicName(), i.version(), i.accepted() ? "active" : "rejected: " + i.problem(),
                        String.join(" ", i.elements()));
            }
            out.print(t);
        }
        out.flush();
        return null;
    }
}

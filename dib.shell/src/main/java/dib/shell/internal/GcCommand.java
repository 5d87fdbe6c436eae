// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.PrintStream;
import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dib.core.build.ImageBuilder;
import dib.core.util.Json;

/** {@code gc}: release what builds of dead processes left behind. */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=gc" })
public final class GcCommand extends DibCommand {
    private final ImageBuilder builder;

    @Activate
    public GcCommand(@Reference ImageBuilder builder) {
        this.builder = builder;
    }

    @Override
    protected String name() {
        return "gc";
    }

    @Override
    protected String summary() {
        return "release what builds of dead dib processes left behind";
    }

    @Override
    protected String usage() {
        return "[-n|--dry-run] [--json]";
    }

    @Override
    protected String help() {
        return """
                Finds what builds of processes that died (killed, crashed) left behind: build and
                image directories, partial outputs, loop devices or mounts made outside a build's
                namespace. Releases them and says what it did; a busy resource is reported with the
                processes holding it. Running builds are left alone.

                  -n, --dry-run   only report
                  --json          print JSON
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) {
        Getopt.Result r = new Getopt("gc", "n", "dry-run", "json").alias("dry-run", "n").parse(args);
        noOperands(r);
        List<String> report = builder.gc(r.has("n"));
        PrintStream out = out();
        if (r.has("json")) {
            out.println(Json.pretty(report));
        } else {
            report.forEach(out::println);
        }
        out.flush();
        return null;
    }
}

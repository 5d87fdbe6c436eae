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

import dib.core.build.Build;
import dib.core.build.ImageBuilder;
import dib.core.util.Json;

/** {@code builds}: the builds of this framework. */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=builds" })
public final class BuildsCommand extends DibCommand {
    private final ImageBuilder builder;

    @Activate
    public BuildsCommand(@Reference ImageBuilder builder) {
        this.builder = builder;
    }

    @Override
    protected String name() {
        return "builds";
    }

    @Override
    protected String usage() {
        return "[--json]";
    }

    @Override
    protected String help() {
        return """
                Lists the builds of this framework, running and finished: id, elements, state, the
                phase running now and the time elapsed.

                  --json   print JSON
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) {
        Getopt.Result r = new Getopt("builds", "", "json").parse(args);
        PrintStream out = out(session);
        List<Build> list = builder.builds();
        if (r.has("json")) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Build b : list) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", b.id());
                m.put("elements", b.elements());
                m.put("state", b.state());
                m.put("phase", b.phase());
                m.put("elapsed", b.elapsed());
                m.put("log", b.log().toString());
                rows.add(m);
            }
            out.println(Json.pretty(rows));
        } else {
            Table t = new Table("ID", "STATE", "PHASE", "ELAPSED", "ELEMENTS");
            for (Build b : list) {
                t.row(b.id(), b.state(), b.phase() == null ? "-" : b.phase(), elapsed(b),
                        String.join(" ", b.request().elements()));
            }
            out.print(t);
        }
        out.flush();
        return null;
    }

    static String elapsed(Build b) {
        long s = b.elapsed().toSeconds();
        return String.format("%d:%02d", s / 60, s % 60);
    }

    /** @return the build, or a one-line failure naming the id */
    static Build find(ImageBuilder builder, String id) {
        return builder.build(id).orElseThrow(() -> new CommandFailure(1, "no build with id '" + id + "' (known: "
                + String.join(", ", builder.builds().stream().map(Build::id).toList()) + ")"));
    }
}

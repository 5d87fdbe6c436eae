// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dib.core.build.Build;
import dib.core.build.BuildResult;
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
    protected String summary() {
        return "the builds of this dib: id, state, phase, elapsed time, elements";
    }

    @Override
    protected String usage() {
        return "[--json] [ID...]";
    }

    @Override
    protected String help() {
        return """
                Lists the builds of this framework, running and finished, oldest first: id, state,
                the phase running now, the time elapsed and the elements asked for. A finished
                build's outputs or failure are in 'log ID' and in --json.

                  --json   print JSON: also the expanded elements, the log file, and for finished
                           builds the exit status, message and outputs
                  ID...    only these builds
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) {
        Getopt.Result r = new Getopt("builds", "", "json").parse(args);
        PrintStream out = out();
        List<Build> list = new ArrayList<>();
        if (r.operands().isEmpty()) {
            list.addAll(builder.builds());
        } else {
            for (String id : r.operands()) {
                list.add(find(builder, id, name()));
            }
        }
        if (r.has("json")) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Build b : list) {
                CompletableFuture<BuildResult> f = b.result().toCompletableFuture();
                rows.add(describe(b, f.isDone() && !f.isCompletedExceptionally() ? f.join() : null));
            }
            out.println(Json.pretty(rows));
        } else {
            Table t = new Table("ID", "STATE", "PHASE", "ELAPSED", "ELEMENTS");
            for (Build b : list) {
                t.row(b.id(), b.state(), b.phase() == null ? "-" : b.phase(), Progress.elapsed(b.elapsed()),
                        String.join(" ", b.request().elements()));
            }
            out.print(t);
        }
        out.flush();
        return null;
    }

    /** @return the JSON form of a build, with its result when it has one */
    static Map<String, Object> describe(Build b, BuildResult result) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", b.id());
        m.put("state", b.state());
        m.put("phase", b.phase());
        m.put("started", b.started());
        m.put("elapsed", b.elapsed());
        m.put("requested", b.request().elements());
        m.put("elements", b.elements());
        m.put("log", b.log().toString());
        if (result != null) {
            m.put("state", result.state());
            m.put("exitStatus", result.exitStatus());
            m.put("message", result.message());
            m.put("outputs", result.outputs().stream().map(Object::toString).toList());
            m.put("elapsed", result.elapsed());
        }
        return m;
    }

    /** @return the build, or a one-line failure naming the id */
    static Build find(ImageBuilder builder, String id, String command) {
        return builder.build(id).orElseThrow(() -> {
            List<String> known = builder.builds().stream().map(Build::id).toList();
            return new CommandFailure(1, command + ": no build with id '" + id + "'"
                    + (known.isEmpty() ? " (no builds yet in this dib)" : " (known: " + String.join(", ", known) + ")"));
        });
    }
}

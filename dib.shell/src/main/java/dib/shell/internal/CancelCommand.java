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
import dib.core.build.BuildResult;
import dib.core.build.ImageBuilder;
import dib.core.util.Json;

/** {@code cancel ID}: stop a build and release everything it holds. */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=cancel" })
public final class CancelCommand extends DibCommand {
    private final ImageBuilder builder;

    @Activate
    public CancelCommand(@Reference ImageBuilder builder) {
        this.builder = builder;
    }

    @Override
    protected String name() {
        return "cancel";
    }

    @Override
    protected String summary() {
        return "cancel builds and release everything they hold";
    }

    @Override
    protected String usage() {
        return "[--json] ID...";
    }

    @Override
    protected String help() {
        return """
                Cancels the builds ID...: every process of the build is killed, its mounts and loop
                devices released, its temporary files and partial outputs removed. Waits until that
                is done and prints each build's final state. Cancelling a finished build changes
                nothing. Every id is checked before any build is touched.

                  --json   print [{id, state}] as JSON
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) throws Exception {
        Getopt.Result r = new Getopt("cancel", "", "json").parse(args);
        if (r.operands().isEmpty()) {
            throw CommandFailure.usage("cancel: a build id is required (usage: cancel " + usage() + ")");
        }
        List<Build> builds = new ArrayList<>();
        for (String id : r.operands()) {
            builds.add(BuildsCommand.find(builder, id, name()));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        PrintStream out = out();
        for (Build b : builds) {
            b.cancel();
            BuildResult res = b.await();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", b.id());
            m.put("state", res.state());
            rows.add(m);
            if (!r.has("json")) {
                out.println("build " + b.id() + ": " + res.state().name().toLowerCase());
                out.flush();
            }
        }
        if (r.has("json")) {
            out.println(Json.pretty(rows));
        }
        out.flush();
        return null;
    }
}

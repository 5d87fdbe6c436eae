// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.IOException;
import java.io.PrintStream;
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

/** {@code log ID}: a build's log; {@code -f} follows it until the build ends. */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=log" })
public final class LogCommand extends DibCommand {
    private final ImageBuilder builder;

    @Activate
    public LogCommand(@Reference ImageBuilder builder) {
        this.builder = builder;
    }

    @Override
    protected String name() {
        return "log";
    }

    @Override
    protected String summary() {
        return "a build's log; -f follows it with a progress line";
    }

    @Override
    protected String usage() {
        return "[-f|--follow] [--json] ID";
    }

    @Override
    protected String help() {
        return """
                Prints the log of build ID: timestamped lines, the phase and hook timing table at the
                end. The file is NAME.d/build.log next to the build's outputs.

                  -f, --follow   keep printing until the build ends (on a terminal with the progress
                                 line below); fails like the build did. Ctrl-C stops following, not
                                 the build ('cancel ID' does that)
                  --json         print {id, state, log, lines} as JSON (with -f: once the build ended)
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) throws Exception {
        Getopt.Result r = new Getopt("log", "f", "follow", "json").alias("follow", "f").parse(args);
        if (r.operands().size() != 1) {
            throw CommandFailure.usage(r.operands().isEmpty() ? "log: a build id is required (usage: log " + usage() + ")"
                    : "log: one build id at a time (usage: log " + usage() + ")");
        }
        Build b = BuildsCommand.find(builder, r.operands().get(0), name());
        PrintStream out = out();
        boolean json = r.has("json");
        if (r.has("f") && !json) {
            boolean terminal = Terminal.attached();
            BuildResult res;
            try (CtrlC ctrlC = CtrlC.interruptThisThread(session)) {
                res = new Follower(b, out, new Follower.Options(terminal, false, true,
                        terminal ? Terminal.width(session) : Terminal.DEFAULT_WIDTH)).follow();
            } catch (InterruptedException e) {
                out.println("stopped following build " + b.id() + "; it goes on ('cancel " + b.id() + "' stops it)");
                out.flush();
                return null;
            }
            if (!res.succeeded()) {
                throw new CommandFailure(res.exitStatus() == 0 ? 1 : res.exitStatus(), "build " + b.id() + " "
                        + res.state().name().toLowerCase() + (res.message() == null ? "" : ": " + res.message()));
            }
            return null;
        }
        if (r.has("f")) {
            b.await();
        }
        List<String> lines;
        try (LogTail tail = new LogTail(b)) {
            lines = b.state().done() ? tail.rest() : tail.poll();
            if (!tail.found()) {
                throw new CommandFailure(1, tail.foreign() ? "the log of build " + b.id() + " (" + b.log()
                        + ") was replaced by a later build with the same output name"
                        : "build " + b.id() + " has no log" + (b.state().done() ? "" : " yet") + " (" + b.log() + ")");
            }
        } catch (IOException e) {
            throw new CommandFailure(1, "cannot read " + b.log() + ": " + e.getMessage(), e);
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", b.id());
            m.put("state", b.state());
            m.put("log", b.log().toString());
            m.put("lines", lines);
            out.println(Json.pretty(m));
        } else {
            lines.forEach(out::println);
        }
        out.flush();
        return null;
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dib.core.build.Build;
import dib.core.build.BuildResult;
import dib.core.build.ImageBuilder;

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
    protected String usage() {
        return "[-f|--follow] ID";
    }

    @Override
    protected String help() {
        return """
                Prints the log of build ID (timestamped lines, the timing table at the end).

                  -f, --follow   keep printing until the build ends; fails like the build did
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) throws Exception {
        Getopt.Result r = new Getopt("log", "f", "follow").alias("follow", "f").parse(args);
        if (r.operands().size() != 1) {
            throw CommandFailure.usage("usage: log " + usage());
        }
        Build b = BuildsCommand.find(builder, r.operands().get(0));
        PrintStream out = out(session);
        if (!Files.exists(b.log())) {
            if (!r.has("f")) {
                throw new CommandFailure(1, "build " + b.id() + " has no log yet");
            }
        }
        byte[] buf = new byte[65536];
        long pos = 0;
        while (true) {
            boolean done = b.state().done() && b.result().toCompletableFuture().isDone();
            if (Files.exists(b.log())) {
                try (InputStream in = Files.newInputStream(b.log())) {
                    in.skipNBytes(Math.min(pos, Files.size(b.log())));
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        out.write(buf, 0, n);
                        pos += n;
                    }
                } catch (IOException e) {
                    throw new CommandFailure(1, "cannot read " + b.log() + ": " + e.getMessage());
                }
                out.flush();
            }
            if (!r.has("f") || done) {
                break;
            }
            Thread.sleep(200);
        }
        if (r.has("f")) {
            BuildResult res = b.await();
            if (!res.succeeded()) {
                throw new CommandFailure(res.exitStatus(), "build " + b.id() + ": " + res.message());
            }
        }
        return null;
    }
}

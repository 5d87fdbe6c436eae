// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dib.core.build.Build;
import dib.core.build.BuildResult;
import dib.core.build.ImageBuilder;

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
    protected String usage() {
        return "ID...";
    }

    @Override
    protected String help() {
        return """
                Cancels the builds ID...: every process of the build is killed, its mounts and loop
                devices released, its temporary files and partial outputs removed. Waits until that
                is done. Cancelling a finished build changes nothing.
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) throws Exception {
        Getopt.Result r = new Getopt("cancel", "").parse(args);
        if (r.operands().isEmpty()) {
            throw CommandFailure.usage("usage: cancel " + usage());
        }
        for (String id : r.operands()) {
            Build b = BuildsCommand.find(builder, id);
            b.cancel();
            BuildResult res = b.await();
            out(session).println("build " + id + ": " + res.state().name().toLowerCase());
        }
        out(session).flush();
        return null;
    }
}

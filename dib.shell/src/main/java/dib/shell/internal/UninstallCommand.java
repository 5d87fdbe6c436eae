// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * {@code uninstall NAME}: removes a bundle installed with {@code install} (or dropped into
 * the deploy folder). Builds already running keep the elements they started with; the next
 * build no longer sees them.
 */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=uninstall" })
public final class UninstallCommand extends DibCommand {
    private final BundleContext context;

    @Activate
    public UninstallCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    protected String name() {
        return "uninstall";
    }

    @Override
    protected String usage() {
        return "NAME|ID";
    }

    @Override
    protected String help() {
        return """
                Uninstalls a bundle installed with 'install' or dropped into the deploy folder, given by
                symbolic name or bundle id, and removes it from the deploy folder so it stays gone after
                a restart. dib's own bundles cannot be uninstalled this way.
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) throws Exception {
        Getopt.Result r = new Getopt("uninstall", "").parse(args);
        if (r.operands().size() != 1) {
            throw CommandFailure.usage("usage: uninstall " + usage());
        }
        String name = r.operands().get(0);
        Path deploy = InstallCommand.deployDir(context);
        Bundle target = null;
        for (Bundle b : context.getBundles()) {
            if (name.equals(b.getSymbolicName()) || name.equals(Long.toString(b.getBundleId()))) {
                target = b;
                break;
            }
        }
        if (target == null) {
            throw new CommandFailure(1, "uninstall: no bundle named '" + name + "' is installed");
        }
        Path file = fileOf(target);
        if (file == null || !file.startsWith(deploy)) {
            throw new CommandFailure(1, "uninstall: bundle " + target.getSymbolicName()
                    + " is part of dib's runtime, not an installed element or distribution bundle");
        }
        Files.deleteIfExists(file);
        long id = target.getBundleId();
        long deadline = System.currentTimeMillis() + InstallCommand.WAIT_MS;
        while (context.getBundle(id) != null && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        if (context.getBundle(id) != null) {
            // FileInstall did not notice in time: do it ourselves
            target.uninstall();
        }
        out(session).println("uninstalled " + target.getSymbolicName() + " " + target.getVersion());
        out(session).flush();
        return null;
    }

    private static Path fileOf(Bundle b) {
        String loc = b.getLocation();
        if (loc == null) {
            return null;
        }
        if (loc.startsWith("reference:")) {
            loc = loc.substring("reference:".length());
        }
        try {
            return loc.startsWith("file:") ? Path.of(java.net.URI.create(loc)).toAbsolutePath() : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dib.core.build.Build;
import dib.core.build.ImageBuilder;
import dib.core.element.ElementBundles;
import dib.core.util.Json;

/**
 * {@code uninstall NAME}: removes a bundle installed with {@code install} (or dropped into
 * the deploy folder) by deleting it from the deploy folder, so it stays gone after a
 * restart. Builds already running keep the elements they started with (the engine copied
 * their hooks when they started); the next build no longer sees them.
 */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=uninstall" })
public final class UninstallCommand extends DibCommand {
    private final BundleContext context;
    private final ElementBundles bundles;
    private final ImageBuilder builder;

    @Activate
    public UninstallCommand(BundleContext context, @Reference ElementBundles bundles,
            @Reference ImageBuilder builder) {
        this.context = context;
        this.bundles = bundles;
        this.builder = builder;
    }

    @Override
    protected String name() {
        return "uninstall";
    }

    @Override
    protected String summary() {
        return "remove a bundle added with install";
    }

    @Override
    protected String usage() {
        return "[--json] NAME|ID|FILE";
    }

    @Override
    protected String help() {
        return """
                Uninstalls a bundle that was added with 'install' or dropped into the deploy folder,
                given by symbolic name, bundle id or jar file name, and deletes it from the deploy
                folder so it stays gone after a restart. A jar in the deploy folder that never became
                a working bundle is removed the same way. Builds already running keep the elements
                they started with; the next build no longer sees them. dib's own bundles cannot be
                uninstalled.

                  --json   print {bundle, version, file, elements, runningBuilds} as JSON
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) throws Exception {
        Getopt.Result r = new Getopt("uninstall", "", "json").parse(args);
        if (r.operands().size() != 1) {
            throw CommandFailure.usage((r.operands().isEmpty() ? "uninstall: a bundle name is required"
                    : "uninstall: one bundle at a time") + " (usage: uninstall " + usage() + ")");
        }
        String name = r.operands().get(0);
        Path deploy = DeployFolder.of(context);
        Bundle target = null;
        Bundle runtime = null;
        for (Bundle b : context.getBundles()) {
            Path f = DeployFolder.fileOf(b);
            if (name.equals(b.getSymbolicName()) || name.equals(Long.toString(b.getBundleId()))
                    || (f != null && (f.getFileName().toString().equals(name) || f.toString().equals(name)))) {
                if (DeployFolder.holds(deploy, b)) {
                    target = b;
                } else {
                    runtime = b;
                }
            }
        }
        PrintStream out = out();
        if (target == null && runtime != null) {
            throw new CommandFailure(1, "uninstall: bundle " + runtime.getSymbolicName()
                    + " is part of dib's runtime, not an installed element or distribution bundle");
        }
        if (target == null) {
            Path jar = strayJar(deploy, name);
            if (jar == null) {
                throw new CommandFailure(1, "uninstall: no bundle named '" + name + "' is installed"
                        + installed(deploy));
            }
            Files.deleteIfExists(jar);
            out.println("removed " + jar + " from the deploy folder (it was not a running bundle)");
            out.flush();
            return null;
        }
        Path file = DeployFolder.fileOf(target);
        long id = target.getBundleId();
        ElementBundles.Info info = bundles.bundles().stream().filter(i -> i.bundleId() == id)
                .findFirst().orElse(null);
        List<String> elements = info == null || !info.accepted() ? List.of() : info.elements();
        List<String> running = new ArrayList<>();
        for (Build b : builder.builds()) {
            if (!b.state().done() && b.elements().stream().anyMatch(elements::contains)) {
                running.add(b.id());
            }
        }
        String bsn = target.getSymbolicName();
        String version = target.getVersion().toString();
        Files.deleteIfExists(file);
        long deadline = System.currentTimeMillis() + InstallCommand.WAIT_MS;
        while (target.getState() != Bundle.UNINSTALLED && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        if (target.getState() != Bundle.UNINSTALLED) {
            try {
                // FileInstall did not notice in time: do it here
                target.uninstall();
            } catch (BundleException | IllegalStateException gone) {
                // it did after all
            }
        }
        if (r.has("json")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bundle", bsn);
            m.put("version", version);
            m.put("file", file.toString());
            m.put("elements", elements);
            m.put("runningBuilds", running);
            out.println(Json.pretty(m));
        } else {
            out.println("uninstalled " + bsn + " " + version + (elements.isEmpty() ? ""
                    : "; elements " + String.join(" ", elements) + " are gone for new builds"
                            + (running.isEmpty() ? "" : " (running build" + (running.size() > 1 ? "s " : " ")
                                    + String.join(", ", running) + " keep" + (running.size() > 1 ? "" : "s")
                                    + " them)")));
        }
        out.flush();
        return null;
    }

    /** @return a jar in the deploy folder named NAME or NAME.jar, or whose symbolic name is NAME */
    private static Path strayJar(Path deploy, String name) throws java.io.IOException {
        if (!Files.isDirectory(deploy) || name.contains("/")) {
            return null;
        }
        for (String n : List.of(name, name + ".jar")) {
            Path p = deploy.resolve(n);
            if (Files.isRegularFile(p) && n.endsWith(".jar")) {
                return p;
            }
        }
        for (Path p : DeployFolder.jars(deploy)) {
            if (name.equals(DeployFolder.symbolicName(p))) {
                return p;
            }
        }
        return null;
    }

    private String installed(Path deploy) {
        List<String> names = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (DeployFolder.holds(deploy, b)) {
                names.add(b.getSymbolicName());
            }
        }
        return names.isEmpty() ? " (nothing is installed in " + deploy + ")"
                : " (installed: " + String.join(", ", names) + ")";
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dib.core.element.ElementBundles;
import dib.core.util.Json;

/**
 * {@code install LOCATION}: adds an element or distribution bundle to the running framework
 * and keeps it across restarts. The bundle is checked first (is it a bundle; does its
 * DIB-Elements folder exist; do its elements clash with installed ones), then copied into
 * the deploy folder that FileInstall watches, which installs and starts it; this command
 * waits for that and reports what the bundle offers.
 */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=install" })
public final class InstallCommand extends DibCommand {
    static final long WAIT_MS = 20_000;

    private final BundleContext context;
    private final ElementBundles bundles;

    @Activate
    public InstallCommand(BundleContext context, @Reference ElementBundles bundles) {
        this.context = context;
        this.bundles = bundles;
    }

    @Override
    protected String name() {
        return "install";
    }

    @Override
    protected String usage() {
        return "[--json] LOCATION";
    }

    @Override
    protected String help() {
        return """
                Installs an element or distribution bundle and starts it. LOCATION is a jar file, a URL,
                or Maven coordinates groupId:artifactId:version found in the local Maven repository.
                The bundle is copied into the deploy folder (DIB_DEPLOY_DIR, watched by FileInstall), so
                it is there again after a restart; 'uninstall' removes it. A bundle with the same
                symbolic name is replaced.

                Refused, with nothing changed: a file that is not a bundle, a bundle whose DIB-Elements
                folder is missing or empty, a bundle carrying an element another installed bundle has.

                  --json   print JSON
                """;
    }

    static Path deployDir(BundleContext context) {
        String d = context.getProperty("felix.fileinstall.dir");
        if (d == null || d.isBlank()) {
            throw new CommandFailure(1, "no deploy folder is configured (felix.fileinstall.dir); start dib with bin/dib");
        }
        return Path.of(d).toAbsolutePath();
    }

    @Override
    protected Object run(CommandSession session, List<String> args) throws Exception {
        Getopt.Result r = new Getopt("install", "", "json").parse(args);
        if (r.operands().size() != 1) {
            throw CommandFailure.usage("usage: install " + usage());
        }
        String location = r.operands().get(0);
        Path deploy = deployDir(context);
        Path cwd = Path.of(String.valueOf(variable(session, "PWD") == null ? System.getProperty("user.dir")
                : variable(session, "PWD")));
        BundleFiles.Candidate c = BundleFiles.resolve(location, cwd);
        try {
            checkClashes(c);
            Path target = deploy.resolve(c.symbolicName() + ".jar");
            Files.createDirectories(deploy);
            // write beside the folder, then rename: FileInstall never sees half a jar
            Path staging = deploy.resolveSibling("." + deploy.getFileName() + ".incoming");
            Files.createDirectories(staging);
            Path tmp = Files.createTempFile(staging, c.symbolicName(), ".jar");
            Files.copy(c.file(), tmp, StandardCopyOption.REPLACE_EXISTING);
            removeOtherCopies(deploy, c.symbolicName(), target);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Bundle b = awaitActive(target, c);
            ElementBundles.Info info = bundles.bundles().stream().filter(i -> i.bundleId() == b.getBundleId())
                    .findFirst().orElse(null);
            if (info != null && !info.accepted()) {
                Files.deleteIfExists(target);
                throw new CommandFailure(1, "install: bundle " + c.symbolicName() + " rejected: " + info.problem());
            }
            PrintStream out = out(session);
            if (r.has("json")) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", b.getBundleId());
                m.put("bundle", b.getSymbolicName());
                m.put("version", b.getVersion().toString());
                m.put("file", target.toString());
                m.put("elements", info == null ? List.of() : info.elements());
                out.println(Json.pretty(m));
            } else {
                out.println("installed " + b.getSymbolicName() + " " + b.getVersion() + " (bundle " + b.getBundleId()
                        + ")" + (info == null ? "" : ": elements " + String.join(", ", info.elements())));
            }
            out.flush();
            return null;
        } finally {
            if (c.temporary()) {
                Files.deleteIfExists(c.file());
            }
        }
    }

    private void checkClashes(BundleFiles.Candidate c) {
        List<String> clashes = new ArrayList<>();
        for (ElementBundles.Info i : bundles.bundles()) {
            if (!i.accepted() || i.symbolicName().equals(c.symbolicName())) {
                continue;
            }
            for (String e : c.elements()) {
                if (i.elements().contains(e)) {
                    clashes.add(e + " (bundle " + i.symbolicName() + " " + i.version() + ")");
                }
            }
        }
        if (!clashes.isEmpty()) {
            throw new CommandFailure(1, "install: bundle " + c.symbolicName() + " carries element"
                    + (clashes.size() > 1 ? "s" : "") + " already installed: " + String.join(", ", clashes));
        }
    }

    private static void removeOtherCopies(Path deploy, String bsn, Path keep) throws IOException {
        try (var s = Files.list(deploy)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!p.equals(keep) && p.getFileName().toString().endsWith(".jar")) {
                    try (var jar = new java.util.jar.JarFile(p.toFile())) {
                        var mf = jar.getManifest();
                        String other = mf == null ? null : mf.getMainAttributes().getValue("Bundle-SymbolicName");
                        if (other != null && other.split(";")[0].strip().equals(bsn)) {
                            Files.delete(p);
                        }
                    } catch (IOException notAJar) {
                        // not ours to judge
                    }
                }
            }
        }
    }

    private Bundle awaitActive(Path target, BundleFiles.Candidate c) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            for (Bundle b : context.getBundles()) {
                if (b.getSymbolicName() != null && b.getSymbolicName().equals(c.symbolicName())
                        && b.getVersion().toString().equals(normalize(c.version()))
                        && (b.getState() == Bundle.ACTIVE)) {
                    return b;
                }
            }
            Thread.sleep(100);
        }
        throw new CommandFailure(1, "install: " + c.symbolicName() + " was copied to " + target
                + " but did not start within " + WAIT_MS / 1000 + " s (check its imports with 'lb' and 'diag')");
    }

    private static String normalize(String v) {
        try {
            return org.osgi.framework.Version.parseVersion(v).toString();
        } catch (IllegalArgumentException e) {
            return v;
        }
    }
}

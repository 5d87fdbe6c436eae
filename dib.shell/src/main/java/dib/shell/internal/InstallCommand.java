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
import java.util.Set;
import java.util.TreeSet;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dib.core.element.Catalog;
import dib.core.element.Element;
import dib.core.element.ElementBundles;
import dib.core.element.ElementException;
import dib.core.element.ElementRepository;
import dib.core.util.Json;

/**
 * {@code install LOCATION}: adds an element or distribution bundle to the running framework
 * and keeps it across restarts. The bundle is checked first (is it a bundle; does its
 * DIB-Elements folder exist and hold elements; do its elements clash with installed ones;
 * is it not one of dib's own bundles), then copied into the deploy folder that FileInstall
 * watches, which installs and starts it. The command waits for that and reports what the
 * bundle offers. A bundle that cannot start, or whose elements the extender rejects, is
 * taken out of the folder again (a replaced version is put back), so a failed install
 * changes nothing.
 */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=install" })
public final class InstallCommand extends DibCommand {
    /** How long FileInstall gets to install and start a bundle. */
    static final long WAIT_MS = 30_000;
    /** How long a bundle may stay installed or resolved before the command starts it itself to learn why not. */
    static final long GRACE_MS = 3_000;

    private final BundleContext context;
    private final ElementBundles bundles;
    private final ElementRepository repository;

    @Activate
    public InstallCommand(BundleContext context, @Reference ElementBundles bundles,
            @Reference ElementRepository repository) {
        this.context = context;
        this.bundles = bundles;
        this.repository = repository;
    }

    @Override
    protected String name() {
        return "install";
    }

    @Override
    protected String summary() {
        return "add an element or distribution bundle (file, URL, Maven coordinates)";
    }

    @Override
    protected String usage() {
        return "[--json] LOCATION";
    }

    @Override
    protected String help() {
        return """
                Installs an element or distribution bundle and starts it. LOCATION is a jar file, a
                URL (file:, http:, https:), or Maven coordinates found in the local Maven repository:
                groupId:artifactId:version or mvn:groupId/artifactId/version. The jar is copied into
                the deploy folder (DIB_DEPLOY_DIR, default ~/.local/share/dib/deploy, watched by
                FileInstall), so it is there again after a restart; 'uninstall' removes it. A bundle
                with the same symbolic name is replaced (an upgrade). Builds already running keep the
                elements they started with; the next build sees the new ones.

                Refused, with nothing changed: a file that is not a bundle, a bundle whose DIB-Elements
                folder is missing or empty, a bundle carrying an element another installed bundle has,
                one of dib's own bundles, a bundle that cannot be resolved or started. An element
                dependency (element-deps) that nothing installed offers is reported as a warning: it
                may come from ELEMENTS_PATH when the build runs.

                  --json   print {id, bundle, version, file, elements, distros, warnings} as JSON
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) throws Exception {
        Getopt.Result r = new Getopt("install", "", "json").parse(args);
        if (r.operands().size() != 1) {
            throw CommandFailure.usage((r.operands().isEmpty() ? "install: a bundle location is required"
                    : "install: one bundle at a time") + " (usage: install " + usage() + ")");
        }
        String location = r.operands().get(0);
        Path deploy = DeployFolder.of(context);
        BundleFiles.Candidate c = BundleFiles.resolve(location, cwd(session),
                Path.of(System.getProperty("java.io.tmpdir")));
        try {
            refuseRuntimeBundle(c, deploy);
            checkClashes(c);
            Path target = deploy.resolve(c.symbolicName() + ".jar");
            Bundle b;
            if (Files.isRegularFile(target) && Files.mismatch(target, c.file()) == -1 && active(target) != null) {
                b = active(target);
            } else {
                b = deploy(c, deploy, target);
            }
            ElementBundles.Info info = info(b);
            Inventory.Row row = new Inventory(bundles, context).rows().stream().filter(x -> x.id() == b.getBundleId())
                    .findFirst().orElse(null);
            List<String> warnings = missingDependencies(c, session);
            PrintStream out = out();
            if (r.has("json")) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", b.getBundleId());
                m.put("bundle", b.getSymbolicName());
                m.put("version", b.getVersion().toString());
                m.put("file", target.toString());
                m.put("elements", info == null ? List.of() : info.elements());
                m.put("distros", row == null ? List.of() : row.distros());
                m.put("warnings", warnings);
                out.println(Json.pretty(m));
            } else {
                String offers = row == null ? "" : row.offers();
                out.println("installed " + b.getSymbolicName() + " " + b.getVersion() + " (bundle " + b.getBundleId()
                        + ")" + (offers.isEmpty() ? "" : ": " + offers));
                warnings.forEach(w -> out.println("warning: " + w));
            }
            out.flush();
            return null;
        } finally {
            if (c.temporary()) {
                Files.deleteIfExists(c.file());
            }
        }
    }

    private void refuseRuntimeBundle(BundleFiles.Candidate c, Path deploy) {
        for (Bundle b : context.getBundles()) {
            if (c.symbolicName().equals(b.getSymbolicName()) && !DeployFolder.holds(deploy, b)) {
                throw new CommandFailure(1, "install: " + c.symbolicName() + " is part of dib's runtime (bundle "
                        + b.getBundleId() + " " + b.getVersion() + "); it cannot be replaced with install");
            }
        }
    }

    private void checkClashes(BundleFiles.Candidate c) {
        List<String> clashes = new ArrayList<>();
        for (ElementBundles.Info i : bundles.bundles()) {
            if (!i.accepted() || i.symbolicName().equals(c.symbolicName())) {
                continue;
            }
            for (String e : c.elements().keySet()) {
                if (i.elements().contains(e)) {
                    clashes.add(e + " (bundle " + i.symbolicName() + " " + i.version() + ")");
                }
            }
        }
        if (!clashes.isEmpty()) {
            throw new CommandFailure(1, "install: bundle " + c.symbolicName() + " carries element"
                    + (clashes.size() > 1 ? "s" : "") + " already installed: " + String.join(", ", clashes)
                    + "; uninstall that bundle first or rename the element");
        }
    }

    /** Puts the jar into the deploy folder and waits for FileInstall; undoes everything on failure. */
    private Bundle deploy(BundleFiles.Candidate c, Path deploy, Path target) throws IOException, InterruptedException {
        Files.createDirectories(deploy);
        // written beside the folder, then renamed in: FileInstall never sees half a jar
        Path staging = Files.createDirectories(deploy.resolveSibling("." + deploy.getFileName() + ".incoming"));
        Path incoming = Files.createTempFile(staging, c.symbolicName(), ".jar");
        List<Path[]> backups = new ArrayList<>();
        try {
            Files.copy(c.file(), incoming, StandardCopyOption.REPLACE_EXISTING);
            // other copies of the same bundle (another file name, an older version) leave the folder
            for (Path p : DeployFolder.jars(deploy)) {
                if (c.symbolicName().equals(DeployFolder.symbolicName(p))) {
                    Path keep = Files.createTempFile(staging, "previous-", ".jar");
                    Files.move(p, keep, StandardCopyOption.REPLACE_EXISTING);
                    backups.add(new Path[] { keep, p });
                }
            }
            Files.move(incoming, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            try {
                Bundle b = await(target, c);
                ElementBundles.Info info = info(b);
                if (info != null && !info.accepted()) {
                    throw new CommandFailure(1, "install: bundle " + c.symbolicName() + " rejected: " + info.problem());
                }
                return b;
            } catch (InterruptedException | RuntimeException e) {
                remove(target);
                for (Path[] k : backups) {
                    Files.move(k[0], k[1], StandardCopyOption.REPLACE_EXISTING);
                }
                backups.clear();
                throw e;
            }
        } finally {
            Files.deleteIfExists(incoming);
            for (Path[] k : backups) {
                Files.deleteIfExists(k[0]);
            }
            try {
                Files.deleteIfExists(staging);
            } catch (IOException notEmpty) {
                // another install is running
            }
        }
    }

    /** @return the bundle once active, after FileInstall installed it from {@code target} */
    private Bundle await(Path target, BundleFiles.Candidate c) throws InterruptedException {
        long start = System.currentTimeMillis();
        String version = normalize(c.version());
        long since = -1;
        while (System.currentTimeMillis() - start < WAIT_MS) {
            Bundle b = bundleAt(target);
            if (b != null && b.getVersion().toString().equals(version)) {
                if (b.getState() == Bundle.ACTIVE) {
                    return b;
                }
                if (b.getState() == Bundle.RESOLVED && b.getHeaders("").get("Fragment-Host") != null) {
                    return b;
                }
                since = since < 0 ? System.currentTimeMillis() : since;
                if ((b.getState() == Bundle.INSTALLED || b.getState() == Bundle.RESOLVED)
                        && System.currentTimeMillis() - since > GRACE_MS) {
                    whyNotStarted(b, c);
                }
            }
            Thread.sleep(100);
        }
        throw new CommandFailure(1, "install: " + c.symbolicName() + " was copied to " + target
                + " but FileInstall did not start it within " + WAIT_MS / 1000 + " s; it was taken out again");
    }

    /** Starts a bundle FileInstall could not start, to learn why; a failure is the command's. */
    private void whyNotStarted(Bundle b, BundleFiles.Candidate c) {
        FrameworkWiring wiring = context.getBundle(0).adapt(FrameworkWiring.class);
        wiring.resolveBundles(List.of(b));
        try {
            b.start();
        } catch (BundleException | IllegalStateException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            int cut = m.indexOf(" Unresolved requirements:");
            throw new CommandFailure(1, "install: bundle " + c.symbolicName() + " " + c.version() + " cannot start: "
                    + (cut > 0 ? m.substring(0, cut) : m), e);
        }
    }

    /** Deletes the jar and waits for FileInstall to uninstall the bundle (or does it itself). */
    private void remove(Path target) throws IOException, InterruptedException {
        Bundle b = bundleAt(target);
        Files.deleteIfExists(target);
        long deadline = System.currentTimeMillis() + 5_000;
        while (b != null && b.getState() != Bundle.UNINSTALLED && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        if (b != null && b.getState() != Bundle.UNINSTALLED) {
            try {
                b.uninstall();
            } catch (BundleException | IllegalStateException gone) {
                // FileInstall got there first
            }
        }
    }

    private Bundle bundleAt(Path file) {
        for (Bundle b : context.getBundles()) {
            if (file.equals(DeployFolder.fileOf(b))) {
                return b;
            }
        }
        return null;
    }

    private Bundle active(Path file) {
        Bundle b = bundleAt(file);
        return b != null && b.getState() == Bundle.ACTIVE ? b : null;
    }

    private ElementBundles.Info info(Bundle b) {
        return bundles.bundles().stream().filter(i -> i.bundleId() == b.getBundleId()).findFirst().orElse(null);
    }

    /** @return one line per element-deps entry of the bundle that no element source offers now */
    private List<String> missingDependencies(BundleFiles.Candidate c, CommandSession session) {
        List<String> out = new ArrayList<>();
        Catalog catalog;
        try {
            catalog = repository.catalog(ElementRepository.parsePath(variable(session, "ELEMENTS_PATH")));
        } catch (ElementException e) {
            return out;
        }
        Set<String> known = new TreeSet<>(catalog.elements().keySet());
        for (Element e : catalog.elements().values()) {
            try {
                known.addAll(e.provides());
            } catch (ElementException unreadable) {
                // 'elements' reports it
            }
        }
        c.elements().forEach((element, deps) -> {
            for (String d : deps) {
                if (!known.contains(d)) {
                    out.add("element " + element + " depends on '" + d
                            + "', which no installed bundle or ELEMENTS_PATH directory offers now");
                }
            }
        });
        return out;
    }

    private static String normalize(String v) {
        try {
            return Version.parseVersion(v).toString();
        } catch (IllegalArgumentException e) {
            return v;
        }
    }
}

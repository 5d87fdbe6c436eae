// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * The deploy folder: the directory Apache Felix FileInstall watches (framework property
 * {@code felix.fileinstall.dir}, which {@code bin/dib} sets from {@code DIB_DEPLOY_DIR}).
 * A bundle jar placed there is installed and started; removing it uninstalls the bundle.
 * The framework's own storage is thrown away at every exit, so this folder is what makes
 * installed bundles persist across restarts.
 */
final class DeployFolder {
    /** The framework property naming the folder. */
    static final String PROPERTY = "felix.fileinstall.dir";

    private DeployFolder() {
    }

    /**
     * @return the folder, absolute
     * @throws CommandFailure if none is configured (dib not started through bin/dib)
     */
    static Path of(BundleContext context) {
        Path p = find(context);
        if (p == null) {
            throw new CommandFailure(1, "no deploy folder is configured (framework property " + PROPERTY
                    + "); start dib with bin/dib, which sets it from DIB_DEPLOY_DIR");
        }
        return p;
    }

    /** @return the folder, or null when none is configured */
    static Path find(BundleContext context) {
        String d = context == null ? null : context.getProperty(PROPERTY);
        return d == null || d.isBlank() ? null : Path.of(d).toAbsolutePath().normalize();
    }

    /** @return the file a bundle was installed from, or null when its location is not a file */
    static Path fileOf(Bundle b) {
        String loc = b.getLocation();
        if (loc == null) {
            return null;
        }
        if (loc.startsWith("reference:")) {
            loc = loc.substring("reference:".length());
        }
        try {
            return loc.startsWith("file:") ? Path.of(URI.create(loc)).toAbsolutePath().normalize() : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** @return the file bundle {@code id} was installed from, or null */
    static Path fileOf(BundleContext context, long id) {
        Bundle b = id < 0 ? null : context.getBundle(id);
        return b == null ? null : fileOf(b);
    }

    /** @return true when the bundle was installed from the deploy folder */
    static boolean holds(Path deploy, Bundle b) {
        Path f = fileOf(b);
        return deploy != null && f != null && f.startsWith(deploy);
    }

    /** @return the bundle jars in the folder (files with a Bundle-SymbolicName), sorted */
    static List<Path> jars(Path deploy) {
        List<Path> out = new ArrayList<>();
        if (deploy == null || !Files.isDirectory(deploy)) {
            return out;
        }
        try (var s = Files.list(deploy)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                if (p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p) && symbolicName(p) != null) {
                    out.add(p.toAbsolutePath().normalize());
                }
            }
        } catch (IOException e) {
            // an unreadable folder: FileInstall will not see anything either
        }
        return out;
    }

    /** @return the jar's Bundle-SymbolicName without attributes, or null if it is not a bundle */
    static String symbolicName(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            var mf = j.getManifest();
            String bsn = mf == null ? null : mf.getMainAttributes().getValue("Bundle-SymbolicName");
            return bsn == null ? null : bsn.split(";")[0].strip();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /**
     * Waits until FileInstall has dealt with every bundle jar in the folder: each one is
     * installed and active, or cannot be resolved, or is a fragment. Used before a one-shot
     * command right after the framework started, so {@code bin/dib elements} sees the
     * elements of deployed bundles, as a long-running shell would.
     *
     * @param maxMillis how long to wait at most
     */
    static void settle(BundleContext context, long maxMillis) throws InterruptedException {
        Path deploy = find(context);
        List<Path> jars = jars(deploy);
        if (jars.isEmpty()) {
            return;
        }
        long deadline = System.currentTimeMillis() + maxMillis;
        FrameworkWiring wiring = context.getBundle(0).adapt(FrameworkWiring.class);
        while (System.currentTimeMillis() < deadline) {
            boolean settled = true;
            for (Path jar : jars) {
                Bundle b = null;
                for (Bundle x : context.getBundles()) {
                    if (jar.equals(fileOf(x))) {
                        b = x;
                    }
                }
                if (b == null || !settled(b, wiring)) {
                    settled = false;
                    break;
                }
            }
            if (settled) {
                return;
            }
            Thread.sleep(50);
        }
    }

    private static boolean settled(Bundle b, FrameworkWiring wiring) {
        return switch (b.getState()) {
            case Bundle.ACTIVE, Bundle.UNINSTALLED -> true;
            case Bundle.RESOLVED -> b.getHeaders("").get("Fragment-Host") != null || startFails(b);
            case Bundle.INSTALLED -> !wiring.resolveBundles(List.of(b));
            default -> false;
        };
    }

    /**
     * Starts a resolved bundle as FileInstall is about to; if it cannot start (its activator
     * fails), waiting longer would not help.
     */
    private static boolean startFails(Bundle b) {
        try {
            b.start();
            return false;
        } catch (BundleException | IllegalStateException e) {
            return true;
        }
    }
}

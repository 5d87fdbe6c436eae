// SPDX-License-Identifier: Apache-2.0
package dib.core.internal;

import java.nio.file.Path;

import org.osgi.framework.BundleContext;

/**
 * Where dib keeps its own files. Each location is a framework (or system) property, with a
 * default that works for root and for other users.
 *
 * <ul>
 * <li>{@code dib.cache.dir}: unpacked element bundles and other derived data, default
 * {@code ~/.cache/dib};</li>
 * <li>{@code dib.state.dir}: the ledger of running builds that {@code dib gc} reads,
 * default {@code /run/dib} for root and {@code $TMPDIR/dib-<user>} otherwise.</li>
 * </ul>
 */
public final class DibDirs {
    private DibDirs() {
    }

    public static Path cache(BundleContext context) {
        return Path.of(property(context, "dib.cache.dir",
                Path.of(System.getProperty("user.home"), ".cache", "dib").toString()));
    }

    public static Path state(BundleContext context) {
        String def = "root".equals(System.getProperty("user.name")) ? "/run/dib"
                : Path.of(System.getProperty("java.io.tmpdir"), "dib-" + System.getProperty("user.name")).toString();
        return Path.of(property(context, "dib.state.dir", def));
    }

    private static String property(BundleContext context, String key, String def) {
        String v = context == null ? System.getProperty(key) : context.getProperty(key);
        return v == null || v.isBlank() ? def : v;
    }
}

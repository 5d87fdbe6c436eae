// SPDX-License-Identifier: Apache-2.0
package dib.distro.fedora.rpm;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

import dib.core.archive.ImageDownloads;
import dib.core.build.BuildException;
import dib.core.cache.DownloadCache;

/**
 * What RPM distributions built from cloud disk images share: architecture names, the root.d
 * environment, image downloads without a published checksum list, upstream's retry on 404.
 * Stateless and thread-safe.
 *
 * @since 1.0
 */
public final class RpmDistributions {
    /** Generic names mapped to current Fedora and RHEL (8 and later) ones, as redhat-common's pkg-map. */
    public static final Map<String, String> PACKAGE_NAMES = Map.of(
            "libselinux-python", "python3-libselinux",
            "policycoreutils", "python3-policycoreutils",
            "policycoreutils-python", "policycoreutils-python-utils");

    private RpmDistributions() {
    }

    /**
     * @param env a root.d hook's environment
     * @return {@code TARGET_ROOT}
     * @throws BuildException when it is not set
     */
    public static Path target(Map<String, String> env) throws BuildException {
        String t = env.getOrDefault("TARGET_ROOT", "");
        if (t.isEmpty()) {
            throw new BuildException("TARGET_ROOT is not set: distro-root must be called from a root.d hook");
        }
        return Path.of(t);
    }

    /**
     * @param arch   dib's {@code ARCH}
     * @param distro names the distribution in the message
     * @return the RPM name of the architecture (amd64 → x86_64, arm64 → aarch64)
     * @throws BuildException for an architecture RPM distributions do not ship
     */
    public static String rpmArch(String arch, String distro) throws BuildException {
        switch (arch) {
            case "amd64":
            case "x86_64":
                return "x86_64";
            case "arm64":
            case "aarch64":
                return "aarch64";
            case "ppc64le":
            case "s390x":
                return arch;
            default:
                throw new BuildException(distro + " images exist for x86_64 (amd64), aarch64 (arm64), ppc64le and s390x,"
                        + " not for ARCH '" + arch + "'");
        }
    }

    /** @return {@code url} without trailing slashes */
    public static String stripSlash(String url) {
        return url.replaceAll("/+$", "");
    }

    /** A fetch that may fail. */
    @FunctionalInterface
    public interface Fetch {
        void run() throws BuildException;
    }

    /** Runs {@code f}, once more when it fails with 404 (upstream: mirrors are flaky). */
    public static void retryOn404(Fetch f) throws BuildException {
        try {
            f.run();
        } catch (BuildException e) {
            if (e.exitStatus() != DownloadCache.NOT_FOUND_STATUS) {
                throw e;
            }
            f.run();
        }
    }

    /**
     * Fetches an image no checksum list covers: verified against
     * {@code DIB_CLOUD_IMAGE_SHA256} when set, else with a warning.
     */
    public static void fetchUnlisted(DownloadCache cache, Map<String, String> env, URI url, Path image, Consumer<String> log)
            throws BuildException {
        String sum = env.getOrDefault("DIB_CLOUD_IMAGE_SHA256", "");
        DownloadCache.Fetch fetch = new DownloadCache.Fetch(false,
                sum.isEmpty() ? null : ImageDownloads.sha256Verifier(sum, url.toString()));
        if (sum.isEmpty()) {
            log.accept("WARNING: no checksum is published for " + url + " and DIB_CLOUD_IMAGE_SHA256 is not set;"
                    + " the image is not verified");
        }
        retryOn404(() -> {
            DownloadCache.Outcome o = cache.fetch(url, image, fetch);
            if (!sum.isEmpty() && o != DownloadCache.Outcome.DOWNLOADED) {
                ImageDownloads.verify(image, sum, image + " (cached copy of " + url + ")");
            }
        });
    }

    /** Compares dotted version strings numerically ("1.14" is newer than "1.2"). */
    public static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long p = i < x.length && !x[i].isEmpty() ? Long.parseLong(x[i]) : 0;
            long q = i < y.length && !y[i].isEmpty() ? Long.parseLong(y[i]) : 0;
            if (p != q) {
                return Long.compare(p, q);
            }
        }
        return 0;
    }
}

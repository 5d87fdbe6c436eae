// SPDX-License-Identifier: Apache-2.0
package dib.distro.ubuntu.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.osgi.service.component.annotations.Component;

import dib.core.archive.Archives;
import dib.core.archive.ImageDownloads;
import dib.core.build.BuildContext;
import dib.core.build.BuildException;
import dib.core.cache.DownloadCache;
import dib.core.distro.Distribution;
import dib.core.hook.HookCall;

/**
 * Ubuntu from the Ubuntu cloud images, as upstream's {@code ubuntu} element: the release's
 * root squashfs (a root tarball for trusty and xenial) from {@code DIB_CLOUD_IMAGES}, checked
 * against the {@code SHA256SUMS} published next to it (both fetched once more without caches
 * on a mismatch), kept in the image cache and extracted into {@code TARGET_ROOT}.
 */
@Component(service = Distribution.class, property = Distribution.NAME + "=ubuntu")
public final class UbuntuDistribution implements Distribution {
    static final String DEFAULT_RELEASE = "noble";
    /** Releases whose cloud images include a root tarball rather than a squashfs. */
    static final Set<String> TARBALL_RELEASES = Set.of("trusty", "xenial");

    @Override
    public String name() {
        return "ubuntu";
    }

    @Override
    public String family() {
        return "debian";
    }

    @Override
    public List<String> releases() {
        return List.of("noble", "jammy", "focal", "bionic", "xenial", "trusty");
    }

    @Override
    public String defaultRelease() {
        return DEFAULT_RELEASE;
    }

    @Override
    public String packageManager() {
        return "apt";
    }

    @Override
    public Map<String, String> packageNames() {
        return Map.of();
    }

    @Override
    public List<String> elements() {
        return List.of("ubuntu", "ubuntu-common");
    }

    @Override
    public void createRoot(HookCall call) throws BuildException {
        Map<String, String> env = call.environment();
        BuildContext build = call.build();
        Consumer<String> log = call.out()::println;
        String targetVar = env.getOrDefault("TARGET_ROOT", "");
        if (targetVar.isEmpty()) {
            throw new BuildException("TARGET_ROOT is not set: distro-root must be called from a root.d hook");
        }
        Path target = Path.of(targetVar);
        String arch = env.getOrDefault("ARCH", build.arch());
        String release = env.getOrDefault("DIB_RELEASE", "").isEmpty() ? DEFAULT_RELEASE : env.get("DIB_RELEASE");
        if (!release.matches("[a-z]+")) {
            throw new BuildException("DIB_RELEASE '" + release + "' is not an Ubuntu release code name (such as "
                    + DEFAULT_RELEASE + ")");
        }
        if (!arch.matches("[a-z0-9]+")) {
            throw new BuildException("ARCH '" + arch + "' is not an Ubuntu architecture (such as amd64 or arm64)");
        }
        Path local = ImageDownloads.localImage(env, call.workingDirectory(), log);
        if (local != null) {
            extract(build, local, target, log);
            return;
        }
        DownloadCache cache = build.cache();
        String file = env.getOrDefault("BASE_IMAGE_FILE", "");
        if (file.isEmpty()) {
            file = release + "-server-cloudimg-" + arch
                    + (TARBALL_RELEASES.contains(release) ? "-root.tar.gz" : ".squashfs");
        }
        String base = env.getOrDefault("DIB_CLOUD_IMAGES", "");
        base = (base.isEmpty() ? "https://cloud-images.ubuntu.com/" + release + "/current" : base).replaceAll("/+$", "");
        String sums = env.getOrDefault("SHA256SUMS", "");
        URI sumsUrl = URI.create(sums.isEmpty() ? base + "/SHA256SUMS" : sums);
        URI imageUrl = URI.create(base + "/" + file);
        Path cached = cache.directory().resolve(file);
        Path sumsFile = cache.directory().resolve("SHA256SUMS.ubuntu." + release + "." + arch);
        String name = file;
        cache.locked(cached, () -> {
            if (build.offline() && Files.isRegularFile(cached)) {
                log.accept("Offline mode: not checking freshness of the cached " + cached);
            } else {
                ImageDownloads.fetchVerified(cache, sumsUrl, sumsFile, imageUrl, cached, name, log);
            }
            extract(build, cached, target, log);
            return null;
        });
    }

    /** Extracts a squashfs (by its magic) or a tarball of any compression into the target. */
    static void extract(BuildContext build, Path image, Path target, Consumer<String> log) throws BuildException {
        log.accept("Extracting the base root tree from " + image);
        if (!isSquashfs(image)) {
            Archives.extractTar(build, image, target, log);
            return;
        }
        try {
            Archives.extractSquashfs(build.sandbox(), image, target, log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("extraction of " + image + " interrupted", e);
        }
    }

    private static boolean isSquashfs(Path image) throws BuildException {
        byte[] m = new byte[4];
        try (InputStream in = Files.newInputStream(image)) {
            return in.readNBytes(m, 0, 4) == 4 && m[0] == 'h' && m[1] == 's' && m[2] == 'q' && m[3] == 's';
        } catch (IOException e) {
            throw new BuildException("cannot read " + image + ": " + e.getMessage(), e);
        }
    }
}

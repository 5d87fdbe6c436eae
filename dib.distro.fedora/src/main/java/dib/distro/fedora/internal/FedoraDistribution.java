// SPDX-License-Identifier: Apache-2.0
package dib.distro.fedora.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Component;

import dib.core.archive.Archives;
import dib.core.archive.ImageDownloads;
import dib.core.build.BuildContext;
import dib.core.build.BuildException;
import dib.core.cache.DownloadCache;
import dib.core.distro.Distribution;
import dib.core.hook.HookCall;
import dib.distro.fedora.rpm.RpmDistribution;
import dib.distro.fedora.rpm.RpmDistributions;

/**
 * Fedora from the Fedora Cloud Base qcow2 image, as upstream's {@code fedora} element: the
 * image is found in the release's image directory listing (the newest sub-release), checked
 * against the CHECKSUM file published next to it, repacked once as a cached tarball and
 * extracted into {@code TARGET_ROOT}.
 */
@Component(service = Distribution.class, property = Distribution.NAME + "=fedora")
public final class FedoraDistribution extends RpmDistribution {
    static final String DEFAULT_RELEASE = "42";

    @Override
    public String name() {
        return "fedora";
    }

    @Override
    public List<String> releases() {
        return List.of("42", "41", "40");
    }

    @Override
    public String defaultRelease() {
        return DEFAULT_RELEASE;
    }

    @Override
    public List<String> elements() {
        return List.of("fedora", "redhat-common", "rpm-distro", "yum");
    }

    @Override
    public void createRoot(HookCall call) throws BuildException {
        Map<String, String> env = call.environment();
        BuildContext build = call.build();
        Consumer<String> log = call.out()::println;
        Path target = RpmDistributions.target(env);
        String arch = RpmDistributions.rpmArch(env.getOrDefault("ARCH", build.arch()), "fedora");
        String release = env.getOrDefault("DIB_RELEASE", "").isEmpty() ? DEFAULT_RELEASE : env.get("DIB_RELEASE");
        if (!release.matches("[0-9]+|rawhide")) {
            throw new BuildException("DIB_RELEASE '" + release + "' is not a Fedora release (a number such as "
                    + DEFAULT_RELEASE + ")");
        }
        DownloadCache cache = build.cache();
        Path local = ImageDownloads.localImage(env, call.workingDirectory(), log);
        if (local != null) {
            Archives.extractDiskImage(build, () -> local, cache.directory().resolve(local.getFileName() + ".tgz"),
                    target, log);
            return;
        }
        String base = RpmDistributions.stripSlash(env.getOrDefault("DIB_CLOUD_IMAGES", "").isEmpty()
                ? defaultCloudImages(release, arch) : env.get("DIB_CLOUD_IMAGES"));
        Listing listing = listing(cache, base, release, arch, env.getOrDefault("BASE_IMAGE_FILE", ""));
        Path image = cache.directory().resolve(listing.image);
        Path tarball = cache.directory().resolve(listing.image.replaceFirst("\\.qcow2(\\.xz)?$", "") + ".tgz");
        Archives.extractDiskImage(build, () -> {
            URI imageUrl = URI.create(base + "/" + listing.image);
            if (listing.checksum != null) {
                RpmDistributions.retryOn404(() -> ImageDownloads.fetchVerified(cache, URI.create(base + "/" + listing.checksum),
                        cache.directory().resolve(listing.checksum), imageUrl, image, listing.image, log));
            } else {
                RpmDistributions.fetchUnlisted(cache, env, imageUrl, image, log);
            }
            return image;
        }, tarball, target, log);
    }

    /** The image and its checksum file, as the listing names them. */
    record Listing(String image, String checksum) {
    }

    /**
     * Finds the newest {@code Fedora-Cloud-Base[-Generic]-REL-SUB.ARCH.qcow2} and its
     * {@code Fedora-Cloud-REL-SUB-ARCH-CHECKSUM} in the directory listing (cached, so that
     * offline builds find it again).
     */
    static Listing listing(DownloadCache cache, String base, String release, String arch, String baseImageFile)
            throws BuildException {
        Path page = cache.directory().resolve("fedora-" + release + "-" + arch + ".listing.html");
        String html;
        try {
            cache.fetch(URI.create(base + "/"), page, DownloadCache.Fetch.plain());
            html = Files.readString(page, StandardCharsets.UTF_8);
        } catch (BuildException | IOException e) {
            if (!baseImageFile.isEmpty()) {
                // the file is named; the listing only served to find its checksum
                return new Listing(baseImageFile, null);
            }
            throw e instanceof BuildException ? (BuildException) e
                    : new BuildException("cannot read " + page + ": " + e.getMessage(), e);
        }
        String rel = Pattern.quote(release);
        String a = Pattern.quote(arch);
        String image = baseImageFile;
        String sub = null;
        if (image.isEmpty()) {
            Matcher m = Pattern.compile("Fedora-Cloud-Base-(?:Generic-)?" + rel + "-([0-9][0-9.]*)\\." + a + "\\.qcow2(?=\")")
                    .matcher(html);
            while (m.find()) {
                String found = html.substring(m.start(), m.end());
                if (sub == null || RpmDistributions.compareVersions(m.group(1), sub) > 0) {
                    sub = m.group(1);
                    image = found;
                }
            }
            if (image.isEmpty()) {
                throw new BuildException("no Fedora-Cloud-Base-" + release + "-*." + arch + ".qcow2 in " + base
                        + "/ (set DIB_RELEASE, DIB_CLOUD_IMAGES or BASE_IMAGE_FILE)");
            }
        } else {
            Matcher m = Pattern.compile("-" + rel + "-([0-9][0-9.]*)\\." + a + "\\.").matcher(image);
            sub = m.find() ? m.group(1) : null;
        }
        String checksum = null;
        if (sub != null) {
            String name = "Fedora-Cloud-" + release + "-" + sub + "-" + arch + "-CHECKSUM";
            if (html.contains("\"" + name + "\"")) {
                checksum = name;
            }
        }
        return new Listing(image, checksum);
    }

    /** Upstream's default image directory by release and architecture. */
    static String defaultCloudImages(String release, String arch) {
        boolean secondary = arch.equals("ppc64le") || arch.equals("s390x");
        String host = secondary ? "https://dl.fedoraproject.org/pub/fedora-secondary"
                : "https://download.fedoraproject.org/pub/fedora/linux";
        String kind = release.equals("rawhide") ? "development" : "releases";
        return host + "/" + kind + "/" + release + "/Cloud/" + arch + "/images";
    }
}

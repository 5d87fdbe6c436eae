// SPDX-License-Identifier: Apache-2.0
package dib.distro.rhel.internal;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

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
 * Red Hat Enterprise Linux from a RHEL KVM guest image, as upstream's {@code rhel} element.
 * The image is not public: it comes from {@code DIB_LOCAL_IMAGE} (downloaded by the user from
 * the Customer Portal), or from {@code DIB_CLOUD_IMAGES}/{@code BASE_IMAGE_FILE} (an internal
 * server). It is repacked once as a cached tarball and extracted into {@code TARGET_ROOT};
 * then the registration settings ({@code REG_*}, {@code DIB_RHSM_*}) are written into the
 * image for its first boot. Nothing contacts Red Hat while building.
 */
@Component(service = Distribution.class, property = Distribution.NAME + "=rhel")
public final class RhelDistribution extends RpmDistribution {
    static final String DEFAULT_RELEASE = "9";

    @Override
    public String name() {
        return "rhel";
    }

    @Override
    public List<String> releases() {
        return List.of("10", "9", "8");
    }

    @Override
    public String defaultRelease() {
        return DEFAULT_RELEASE;
    }

    @Override
    public List<String> elements() {
        return List.of("rhel", "rhel-common", "redhat-common", "rpm-distro", "yum");
    }

    @Override
    public void createRoot(HookCall call) throws BuildException {
        Map<String, String> env = call.environment();
        BuildContext build = call.build();
        Consumer<String> log = call.out()::println;
        Path target = RpmDistributions.target(env);
        String arch = RpmDistributions.rpmArch(env.getOrDefault("ARCH", build.arch()), "RHEL");
        String release = env.getOrDefault("DIB_RELEASE", "").isEmpty() ? DEFAULT_RELEASE : env.get("DIB_RELEASE");
        if (!release.matches("[0-9]+(\\.[0-9]+)?")) {
            throw new BuildException("DIB_RELEASE '" + release + "' is not a RHEL release (such as 9 or 9.4)");
        }
        // check the registration settings before anything is downloaded
        Registration registration = Registration.from(env);
        DownloadCache cache = build.cache();
        Path local = ImageDownloads.localImage(env, call.workingDirectory(), log);
        if (local != null) {
            Archives.extractDiskImage(build, () -> local, cache.directory().resolve(local.getFileName() + ".tgz"),
                    target, log);
        } else {
            String base = env.getOrDefault("DIB_CLOUD_IMAGES", "");
            String file = env.getOrDefault("BASE_IMAGE_FILE", "");
            if (base.isEmpty() || file.isEmpty()) {
                throw new BuildException("no RHEL " + release + " " + arch + " image: set DIB_LOCAL_IMAGE to the KVM"
                        + " guest image downloaded from the Red Hat Customer Portal (or DIB_CLOUD_IMAGES and"
                        + " BASE_IMAGE_FILE)");
            }
            URI url = URI.create(RpmDistributions.stripSlash(base) + "/" + file);
            Path image = cache.directory().resolve(file);
            Path tarball = cache.directory().resolve(file.replaceFirst("\\.qcow2(\\.xz)?$", "") + ".tgz");
            Archives.extractDiskImage(build, () -> {
                RpmDistributions.fetchUnlisted(cache, env, url, image, log);
                return image;
            }, tarball, target, log);
        }
        registration.write(build.sandbox(), target, log);
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.distro.debian.internal;

import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import dib.core.build.BuildException;
import dib.core.distro.Distribution;
import dib.core.hook.HookCall;

/**
 * Debian, bootstrapped from a package mirror ({@link Debootstrap}). Its elements:
 * {@code debian} (cloud image), {@code debian-minimal} (the operating-system element),
 * {@code debootstrap} and {@code dpkg}.
 */
@Component(service = Distribution.class, property = Distribution.NAME + "=debian")
public final class DebianDistribution implements Distribution {
    @Override
    public String name() {
        return "debian";
    }

    @Override
    public String family() {
        return "debian";
    }

    @Override
    public List<String> releases() {
        return List.of("trixie", "bookworm", "bullseye");
    }

    @Override
    public String defaultRelease() {
        return Debootstrap.DEFAULT_RELEASE;
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
        return List.of("debian-minimal", "debian", "debootstrap", "dpkg");
    }

    @Override
    public void createRoot(HookCall call) throws BuildException {
        Debootstrap.createRoot(call);
    }
}

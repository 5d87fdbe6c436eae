// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.packages;

import java.util.Collection;
import java.util.Map;

import dib.core.distro.Distribution;

/** The pkg-map family of a distribution: from its service when one is installed, else upstream's table. */
final class Families {
    private static final Map<String, String> KNOWN = Map.ofEntries(Map.entry("fedora", "redhat"),
            Map.entry("rhel", "redhat"), Map.entry("rhel7", "redhat"), Map.entry("centos", "redhat"),
            Map.entry("centos7", "redhat"), Map.entry("almalinux", "redhat"), Map.entry("rocky", "redhat"),
            Map.entry("openeuler", "redhat"), Map.entry("debian", "debian"), Map.entry("ubuntu", "debian"),
            Map.entry("opensuse", "suse"), Map.entry("gentoo", "gentoo"));

    private Families() {
    }

    /**
     * @param distro  {@code DISTRO_NAME}
     * @param distros the installed distribution services
     * @return the family, or null when the distribution is unknown
     */
    static String of(String distro, Collection<Distribution> distros) {
        if (distro == null) {
            return null;
        }
        for (Distribution d : distros) {
            try {
                if (distro.equals(d.name())) {
                    return d.family();
                }
            } catch (RuntimeException e) {
                // a service going away while we ask: fall back to the table
            }
        }
        return KNOWN.get(distro);
    }
}

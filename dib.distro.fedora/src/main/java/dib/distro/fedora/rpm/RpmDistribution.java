// SPDX-License-Identifier: Apache-2.0
package dib.distro.fedora.rpm;

import java.util.Map;

import dib.core.distro.Distribution;

/**
 * Base of the Red Hat family's distribution services: family {@code redhat}, package
 * manager {@code dnf}, the generic package names of {@link RpmDistributions#PACKAGE_NAMES}.
 * Subclasses give the name, releases, elements and the root tree.
 *
 * @since 1.0
 */
public abstract class RpmDistribution implements Distribution {
    @Override
    public String family() {
        return "redhat";
    }

    @Override
    public String packageManager() {
        return "dnf";
    }

    @Override
    public Map<String, String> packageNames() {
        return RpmDistributions.PACKAGE_NAMES;
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.distro;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

import dib.core.build.BuildException;
import dib.core.hook.HookCall;

/**
 * A base distribution. A distribution bundle registers one service per distribution and
 * ships the elements that use it (the operating-system element, which provides
 * {@code operating-system} and calls {@code dib-call distro-root NAME} from its
 * {@code root.d}). Thread-safe: several builds may use it at once.
 *
 * @since 1.0
 */
@ConsumerType
public interface Distribution {
    /** Service property: the distribution's name, the value of {@code DISTRO_NAME}. */
    String NAME = "dib.distro.name";

    /** @return the name ({@code DISTRO_NAME}): ubuntu, debian, fedora, rhel, ... */
    String name();

    /** @return the family used by pkg-map: debian, redhat, suse, gentoo */
    String family();

    /** @return releases known to work, newest first; others may work too */
    List<String> releases();

    /** @return the release used when {@code DIB_RELEASE} is not set */
    String defaultRelease();

    /** @return the package manager the image uses: apt, dnf or yum */
    String packageManager();

    /** @return generic package names mapped to this distribution's (pkg-map defaults) */
    Map<String, String> packageNames();

    /** @return the elements this distribution's bundle ships for it, the OS element first */
    List<String> elements();

    /**
     * Produces the base root tree in {@code TARGET_ROOT} of the calling hook: download (through
     * the build's cache) and verify the distribution's image or bootstrap it, then extract it.
     * Honours {@code DIB_RELEASE}, {@code DIB_LOCAL_IMAGE}, {@code DIB_CLOUD_IMAGES},
     * {@code DIB_DISTRIBUTION_MIRROR} and offline mode from the caller's environment.
     *
     * @param call the hook call ({@code dib-call distro-root NAME ARGS...}); its environment
     *             holds {@code TARGET_ROOT} and the element variables
     * @throws BuildException naming the URL, file or release that failed
     */
    void createRoot(HookCall call) throws BuildException;
}

// SPDX-License-Identifier: Apache-2.0
package dib.distro.debian.internal;

import org.osgi.service.component.annotations.Component;

import dib.core.hook.HookCall;
import dib.core.hook.HookCommand;

/**
 * {@code dib-call debootstrap}: the debootstrap element's root.d hook, for any
 * Debian-family distribution ({@code DISTRO_NAME} names the cache tarball). The same as
 * {@code dib-call distro-root debian} for Debian.
 */
@Component(service = HookCommand.class, property = HookCommand.NAME + "=debootstrap")
public final class DebootstrapCommand implements HookCommand {
    @Override
    public int run(HookCall call) throws Exception {
        if (!call.arguments().isEmpty()) {
            call.err().println("usage: dib-call debootstrap (settings come from the environment: DIB_RELEASE,"
                    + " DIB_DISTRIBUTION_MIRROR, DIB_DEBIAN_COMPONENTS, ...)");
            return 2;
        }
        Debootstrap.createRoot(call);
        return 0;
    }
}

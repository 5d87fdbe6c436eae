// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.nio.file.Path;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import dib.core.build.BuildException;
import dib.core.hook.HookCall;
import dib.core.hook.HookCommand;
import dib.core.sandbox.Sandbox;

/**
 * {@code dib-call baremetal TARGET_ROOT IMAGE_NAME}, called by the baremetal element's
 * {@code cleanup.d} hook: copies the image's kernel and initrd (chosen by
 * {@link KernelSelector}) to {@code IMAGE_NAME.vmlinuz} and {@code IMAGE_NAME.initrd},
 * world-readable, and removes {@code /dib-signed-kernel-version}.
 */
@Component(service = HookCommand.class, property = HookCommand.NAME + "=baremetal")
public final class BaremetalCommand implements HookCommand {
    @Override
    public int run(HookCall call) throws Exception {
        List<String> args = call.arguments();
        if (args.size() != 2) {
            call.err().println("usage: dib-call baremetal TARGET_ROOT IMAGE_NAME");
            return 2;
        }
        Sandbox sb = call.build().sandbox();
        Path root = call.resolve(args.get(0));
        Path image = call.resolve(args.get(1));
        KernelSelector.Choice c = KernelSelector.select(sb.host(root), call.environment());
        copyOut(sb, root, "boot/" + c.kernel(), Path.of(image + ".vmlinuz"));
        copyOut(sb, root, "boot/" + c.initrd(), Path.of(image + ".initrd"));
        Cmd.quiet(sb, "baremetal", "rm", "-f", root.resolve("dib-signed-kernel-version").toString());
        call.out().println("baremetal: " + c.kernel() + " -> " + image + ".vmlinuz, " + c.initrd() + " -> " + image
                + ".initrd");
        return 0;
    }

    /**
     * Copies the file {@code rel} of the image at {@code root} (symbolic links followed inside
     * the image) to {@code to} and makes the copy world-readable.
     */
    static void copyOut(Sandbox sb, Path root, String rel, Path to) throws BuildException {
        Path hostRoot = sb.host(root);
        Path real = KernelSelector.inside(hostRoot, hostRoot.resolve(rel));
        Path from = root.resolve(hostRoot.relativize(real).toString());
        Cmd.quiet(sb, "copying /" + rel, "cp", from.toString(), to.toString());
        Cmd.quiet(sb, "copying /" + rel, "chmod", "a+r", to.toString());
    }
}

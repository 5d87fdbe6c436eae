// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dib.blockdevice.KernelExtractor;
import dib.core.build.BuildException;

/**
 * {@code disk-image-get-kernel}: upstream's 2014 tool (deprecated there in favour of the
 * baremetal element), without nbd: the kernel and initrd of a disk image are copied to
 * {@code OUTDIR/PREFIX-vmlinuz} and {@code OUTDIR/PREFIX-initrd}.
 */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=disk-image-get-kernel" })
public final class GetKernelCommand extends DibCommand {
    private final KernelExtractor extractor;

    @Activate
    public GetKernelCommand(@Reference KernelExtractor extractor) {
        this.extractor = extractor;
    }

    @Override
    protected String name() {
        return "disk-image-get-kernel";
    }

    @Override
    protected String usage() {
        return "-i IMAGE [-d OUTDIR] [-o PREFIX] [-x]";
    }

    @Override
    protected String help() {
        return """
                Copies the kernel and initrd out of a disk image (qcow2, raw or any format qemu-img
                reads) to OUTDIR/PREFIX-vmlinuz and OUTDIR/PREFIX-initrd, world-readable. Needs
                root. Each partition is mounted read-only by offset in a private namespace (no
                nbd, no partition devices) until one holds /boot with a kernel. The files are
                chosen like the baremetal element chooses them (DIB_BAREMETAL_KERNEL_PATTERN and
                DIB_BAREMETAL_INITRD_PATTERN, else by distribution). Deprecated upstream: the
                baremetal element copies them out while the image is built.

                  -i IMAGE   the disk image (required)
                  -d OUTDIR  where to write (default /tmp)
                  -o PREFIX  file name prefix (default baremetal)
                  -x         print each step
                  -h         this help
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) {
        Getopt.Result r = new Getopt(name(), "i:d:o:xh").parse(args);
        if (!r.operands().isEmpty()) {
            throw CommandFailure.usage(name() + ": unexpected argument '" + r.operands().get(0) + "' (usage: "
                    + name() + " " + usage() + ")");
        }
        String image = r.last("i");
        if (image == null || image.isEmpty()) {
            throw CommandFailure.usage(name() + ": an image is required (-i IMAGE)");
        }
        Map<String, String> env = environment(session);
        Path cwd = Path.of(env.getOrDefault("PWD", System.getProperty("user.dir")));
        Path outDir = cwd.resolve(r.last("d") != null ? r.last("d") : "/tmp");
        String prefix = r.last("o") != null ? r.last("o") : "baremetal";
        PrintStream out = out(session);
        out.println("WARNING: disk-image-get-kernel is deprecated upstream; the baremetal element copies the kernel"
                + " and initrd out while the image is built");
        boolean trace = r.has("x");
        try {
            KernelExtractor.Extracted x = extractor.extract(cwd.resolve(image), outDir, prefix, env, line -> {
                if (trace) {
                    out.println(line);
                }
            });
            out.println(x.kernel());
            out.println(x.initrd());
        } catch (BuildException e) {
            throw new CommandFailure(e.exitStatus(), e.getMessage());
        }
        out.flush();
        return null;
    }
}

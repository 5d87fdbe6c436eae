// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dib.blockdevice.KernelExtractor;
import dib.core.build.BuildException;
import dib.core.util.Json;

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
    protected String summary() {
        return "copy the kernel and initrd out of a disk image (upstream's, deprecated)";
    }

    @Override
    protected String usage() {
        return "-i IMAGE [-d OUTDIR] [-o PREFIX] [-x] [--json]";
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
                  --json     print {kernel, initrd} as JSON (no warning, no steps)
                  -h         this help

                Exit status: 0 when both files were written; 1 for a bad command line (as
                upstream's getopt scripts), a missing image or an image without a kernel.
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) {
        Getopt.Result r;
        try {
            r = new Getopt(name(), "i:d:o:xh", "json").parse(args);
        } catch (CommandFailure f) {
            // upstream's getopt-based scripts print getopt's message and exit 1
            throw new CommandFailure(1, f.getMessage());
        }
        if (!r.operands().isEmpty()) {
            throw new CommandFailure(1, name() + ": unexpected argument '" + r.operands().get(0) + "' (usage: "
                    + name() + " " + usage() + ")");
        }
        String image = r.last("i");
        if (image == null || image.isEmpty()) {
            throw new CommandFailure(1, name() + ": an image is required (-i IMAGE)");
        }
        boolean json = r.has("json");
        Map<String, String> env = environment(session);
        Path cwd = cwd(session);
        Path outDir = cwd.resolve(r.last("d") != null ? r.last("d") : "/tmp");
        String prefix = r.last("o") != null ? r.last("o") : "baremetal";
        PrintStream out = out();
        if (!json) {
            out.println("WARNING: disk-image-get-kernel is deprecated upstream; the baremetal element copies the"
                    + " kernel and initrd out while the image is built");
        }
        boolean trace = r.has("x") && !json;
        try {
            KernelExtractor.Extracted x = extractor.extract(cwd.resolve(image), outDir, prefix, env, line -> {
                if (trace) {
                    out.println(line);
                }
            });
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("kernel", x.kernel().toString());
                m.put("initrd", x.initrd().toString());
                out.println(Json.pretty(m));
            } else {
                out.println(x.kernel());
                out.println(x.initrd());
            }
        } catch (BuildException e) {
            throw new CommandFailure(Math.max(1, e.exitStatus()), e.getMessage());
        }
        out.flush();
        return null;
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import dib.core.build.BuildContext;
import dib.core.build.BuildException;
import dib.core.image.OutputFormat;
import dib.core.sandbox.Exec;

/** The output formats this bundle registers, one DS component each. */
public final class Outputs {
    private Outputs() {
    }

    /** {@code qcow2}: compressed ({@code -c}) unless {@code -u}. */
    @Component(service = OutputFormat.class, property = OutputFormat.TYPE + "=qcow2")
    public static final class Qcow2 extends QemuImgOutput {
        public Qcow2() {
            super("qcow2", "qcow2", "qcow2", true);
        }

        @Override
        protected boolean compressed(BuildContext ctx) {
            return !ctx.request().uncompressed();
        }
    }

    /**
     * {@code vhd}: qemu-img's {@code vpc} format (upstream used a patched vhd-util), with
     * {@code force_size=on} so the virtual size is exactly the raw image's.
     */
    @Component(service = OutputFormat.class, property = OutputFormat.TYPE + "=vhd")
    public static final class Vhd extends QemuImgOutput {
        public Vhd() {
            super("vhd", "vpc", "vhd", false);
        }

        @Override
        protected String defaultOptions() {
            return "force_size=on";
        }
    }

    /** {@code vmdk}: upstream reaches it through its qemu-img fall-through. */
    @Component(service = OutputFormat.class, property = OutputFormat.TYPE + "=vmdk")
    public static final class Vmdk extends QemuImgOutput {
        public Vmdk() {
            super("vmdk", "vmdk", "vmdk", false);
        }
    }

    /**
     * {@code raw}: the raw image itself, hard-linked when it is on the same file system,
     * else copied sparsely (never moved, so the other outputs can still read it).
     */
    @Component(service = OutputFormat.class, property = OutputFormat.TYPE + "=raw")
    public static final class Raw implements OutputFormat {
        @Override
        public Source source() {
            return Source.DISK;
        }

        @Override
        public String extension() {
            return "raw";
        }

        @Override
        public void write(BuildContext ctx, Path input, Path target) throws BuildException {
            try {
                Cmd.quiet(ctx.sandbox(), "output raw", "ln", input.toString(), target.toString());
            } catch (BuildException e) {
                Cmd.quiet(ctx.sandbox(), "output raw", "cp", "--sparse=always", input.toString(), target.toString());
            }
        }
    }

    /**
     * {@code tgz}: the tree as upstream's {@code tar} output ({@code ./proc} and {@code ./sys}
     * excluded, extended attributes kept), compressed by {@code DIB_GZIP_BIN} (default gzip)
     * with {@code -9}.
     */
    @Component(service = OutputFormat.class, property = OutputFormat.TYPE + "=tgz")
    public static final class Tgz implements OutputFormat {
        @Override
        public Source source() {
            return Source.TREE;
        }

        @Override
        public String extension() {
            return "tgz";
        }

        @Override
        public void write(BuildContext ctx, Path input, Path target) throws BuildException {
            String configured = ctx.environment().getOrDefault("DIB_GZIP_BIN", "");
            String gzip = configured.isBlank() ? "gzip" : configured;
            Exec tar = Exec.of("bash", "-c", "set -o pipefail; tar -C \"$1\" -cf - --exclude ./sys --exclude ./proc"
                    + " --xattrs '--xattrs-include=*' . | $3 -9 > \"$2\"", "tgz", input.toString(), target.toString(),
                    gzip).quiet();
            Cmd.removeOnFailure(ctx.sandbox(), target, () -> Cmd.run(ctx.sandbox(), "output tgz", tar));
        }
    }

    /**
     * {@code squashfs}: {@code mksquashfs TREE NAME.squash -comp xz -noappend -no-recovery},
     * contents of {@code proc} and {@code sys} excluded, as upstream.
     */
    @Component(service = OutputFormat.class, property = OutputFormat.TYPE + "=squashfs")
    public static final class Squashfs implements OutputFormat {
        @Override
        public Source source() {
            return Source.TREE;
        }

        @Override
        public String extension() {
            return "squash";
        }

        @Override
        public void write(BuildContext ctx, Path input, Path target) throws BuildException {
            List<String> argv = new ArrayList<>(List.of("mksquashfs", input.toString(), target.toString(), "-comp",
                    "xz", "-noappend", "-no-progress", "-quiet", "-wildcards", "-e", "proc/*", "-e", "sys/*",
                    "-no-recovery"));
            Cmd.removeOnFailure(ctx.sandbox(), target, () -> Cmd.run(ctx.sandbox(), "output squashfs",
                    Exec.of(argv).quiet()));
        }
    }
}

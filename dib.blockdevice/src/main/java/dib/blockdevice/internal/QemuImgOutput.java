// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dib.core.build.BuildContext;
import dib.core.build.BuildException;
import dib.core.image.OutputFormat;
import dib.core.sandbox.Exec;

/**
 * A disk output converted from the raw image with {@code qemu-img convert -f raw -O FORMAT}
 * and upstream's {@code --qemu-img-options} as {@code -o}. Formats that allow it are written
 * with 8 coroutines and out-of-order writes ({@code -m 8 -W}), which lets qcow2 compress on
 * every core. Runs in the build's sandbox, so it dies with the build.
 */
public class QemuImgOutput implements OutputFormat {
    private final String type;
    private final String format;
    private final String extension;
    private final boolean parallel;

    /**
     * @param type      the {@code -t} name
     * @param format    qemu-img's name for it
     * @param extension the file name extension
     * @param parallel  true if qemu-img may write it out of order
     */
    public QemuImgOutput(String type, String format, String extension, boolean parallel) {
        this.type = type;
        this.format = format;
        this.extension = extension;
        this.parallel = parallel;
    }

    @Override
    public Source source() {
        return Source.DISK;
    }

    @Override
    public String extension() {
        return extension;
    }

    /** @return true if this output is compressed for this build */
    protected boolean compressed(BuildContext ctx) {
        return false;
    }

    /** @return options always given to qemu-img for this format (before the user's) */
    protected String defaultOptions() {
        return null;
    }

    @Override
    public void write(BuildContext ctx, Path input, Path target) throws BuildException {
        List<String> argv = new ArrayList<>(List.of("qemu-img", "convert"));
        if (compressed(ctx)) {
            argv.add("-c");
        }
        if (parallel) {
            argv.addAll(List.of("-m", "8", "-W"));
        }
        argv.addAll(List.of("-f", "raw", "-O", format));
        String user = ctx.environment().getOrDefault("QEMU_IMG_OPTIONS", ctx.request().qemuImgOptions());
        String opts = join(defaultOptions(), user);
        if (opts != null) {
            argv.addAll(List.of("-o", opts));
        }
        argv.add(input.toString());
        argv.add(target.toString());
        ctx.log("output " + type + ": " + String.join(" ", argv));
        Cmd.removeOnFailure(ctx.sandbox(), target, () -> Cmd.run(ctx.sandbox(), "output " + type,
                Exec.of(argv).quiet()));
    }

    private static String join(String a, String b) {
        if (a == null || a.isEmpty()) {
            return b == null || b.isEmpty() ? null : b;
        }
        return b == null || b.isEmpty() ? a : a + "," + b;
    }

    @Override
    public String toString() {
        return type + " (qemu-img " + format + ")";
    }
}

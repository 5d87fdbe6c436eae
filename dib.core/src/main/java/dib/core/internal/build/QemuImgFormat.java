// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import dib.core.build.BuildContext;
import dib.core.build.BuildException;
import dib.core.image.OutputFormat;
import dib.core.sandbox.Exec;
import dib.core.sandbox.SandboxException;

/**
 * Upstream's fallback for {@code -t} types it does not know: {@code qemu-img convert -O TYPE}
 * of the raw disk. Used only for types no {@link OutputFormat} service claims and that the
 * installed qemu-img lists among its formats.
 */
final class QemuImgFormat implements OutputFormat {
    private static volatile Set<String> supported;
    private final String type;

    QemuImgFormat(String type) {
        this.type = type;
    }

    static boolean supports(String type) {
        Set<String> s = supported;
        if (s == null) {
            supported = s = probe();
        }
        return s.contains(type) && !type.equals("raw");
    }

    private static Set<String> probe() {
        try {
            Process p = new ProcessBuilder("qemu-img", "--help").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            for (String line : out.split("\n")) {
                if (line.startsWith("Supported formats:")) {
                    return Set.of(line.substring("Supported formats:".length()).strip().split("\\s+"));
                }
            }
        } catch (IOException e) {
            return Set.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Set.of();
    }

    @Override
    public Source source() {
        return Source.DISK;
    }

    @Override
    public String extension() {
        return type;
    }

    @Override
    public void write(BuildContext ctx, Path input, Path target) throws BuildException {
        String opts = ctx.environment().getOrDefault("QEMU_IMG_OPTIONS", "");
        Exec e = Exec.of("qemu-img", "convert", "-f", "raw", "-O", type);
        if (!opts.isBlank()) {
            e.args("-o", opts);
        }
        e.args(input.toString(), target.toString()).label("qemu-img convert -O " + type);
        try {
            ctx.sandbox().check(e);
        } catch (SandboxException ex) {
            throw new BuildException(ex.getMessage(), ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new BuildException("interrupted while writing the " + type + " output", 130, ex);
        }
    }

    static List<String> known() {
        return List.copyOf(supported == null ? probe() : supported);
    }
}

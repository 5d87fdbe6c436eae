// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import dib.core.build.BuildContext;
import dib.core.build.BuildException;
import dib.core.sandbox.Exec;

/**
 * Upstream's image usage report ({@code DIB_SHOW_IMAGE_USAGE}): the {@code du -a} lines of
 * the tree, largest first, sizes in IEC units; only entries of 10 MiB and more unless
 * {@code DIB_SHOW_IMAGE_USAGE_FULL} is set.
 */
final class UsageReport {
    private static final Pattern BIG = Pattern.compile("MiB|GiB|TiB|PiB");
    private static final Pattern SMALL_MIB = Pattern.compile("\\..MiB");

    private UsageReport() {
    }

    static void print(BuildContext ctx, String du, boolean full) throws BuildException {
        String sorted = Cmd.run(ctx.sandbox(), "image usage report",
                Exec.of("sh", "-c", "sort -nr | numfmt --to=iec-i --padding=7 --suffix=B --field=1 --from-unit=1024")
                        .input(du.getBytes(StandardCharsets.UTF_8)).capture().quiet())
                .stdout();
        if (full) {
            ctx.log("=================");
            ctx.log("Image size report");
            ctx.log("=================");
        } else {
            ctx.log("=================================");
            ctx.log("Image size report (files > 10MiB)");
            ctx.log("=================================");
        }
        for (String line : sorted.split("\n")) {
            if (full || BIG.matcher(line).find() && !SMALL_MIB.matcher(line).find()) {
                ctx.log(line);
            }
        }
        ctx.log("");
        ctx.log("===== end image size report =====");
        ctx.log("");
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import dib.blockdevice.CreateContext;
import dib.blockdevice.Node;
import dib.blockdevice.NodeType;
import dib.blockdevice.PlanContext;
import dib.blockdevice.Region;
import dib.blockdevice.SizeSpec;
import dib.core.build.BuildException;

/**
 * {@code local_loop}: a sparse image file {@code <directory>/<name>.raw} of {@code size}
 * (default: the computed image size). Upstream attaches a loop device to it; here the
 * file itself is the device (a {@link Region} from offset 0) and nothing is attached.
 * {@code block_size} (or {@code DIB_BLOCK_SIZE}) sets the logical sector size of the
 * partition table, 512 or 4096.
 */
@Component(service = NodeType.class, property = NodeType.KEY + "=local_loop")
public final class LocalLoopType implements NodeType {
    @Override
    public List<Node> parse(Map<String, Object> config, PlanContext plan) throws BuildException {
        EntryReader r = new EntryReader(config, plan, "local_loop");
        String name = r.required("name");
        Long size = null;
        if (r.has("size")) {
            try {
                size = SizeSpec.parse(r.required("size"));
            } catch (IllegalArgumentException e) {
                throw r.error(e.getMessage());
            }
        }
        String env = plan.build().environment().get("DIB_BLOCK_SIZE");
        int blockSize = env != null && !env.isBlank() ? parseBlockSize(r, env) : r.integer("block_size", 512);
        if (blockSize != 512 && blockSize != 4096) {
            throw r.error("block_size " + blockSize + " is not supported (512 or 4096)");
        }
        String dir = r.optional("directory", null);
        return List.of(new LoopNode(name, size, dir == null ? null : Path.of(dir), blockSize));
    }

    private static int parseBlockSize(EntryReader r, String v) throws BuildException {
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw r.error("DIB_BLOCK_SIZE '" + v + "' is not a number");
        }
    }

    private record LoopNode(String name, Long size, Path directory, int blockSize) implements Node {
        @Override
        public List<String> after(PlanContext plan) {
            return List.of();
        }

        @Override
        public void create(CreateContext ctx) throws BuildException {
            long bytes = size != null ? size : ctx.imageSize();
            if (bytes % blockSize != 0) {
                bytes += blockSize - bytes % blockSize;
            }
            Path dir = directory != null ? directory : ctx.imageDir();
            Path file = dir.resolve(name + ".raw");
            String what = "local_loop '" + name + "'";
            ctx.onRelease("image file " + file, () -> Cmd.bestEffort(ctx.sandbox(), "rm", "-f", file.toString()));
            Cmd.quiet(ctx.sandbox(), what, "mkdir", "-p", dir.toString());
            Cmd.quiet(ctx.sandbox(), what, "rm", "-f", file.toString());
            Cmd.quiet(ctx.sandbox(), what, "truncate", "-s", Long.toString(bytes), file.toString());
            ctx.log(what + ": image file " + file + " (" + bytes + " bytes)");
            ctx.putRegion(name, new Region(file, 0, bytes, blockSize));
        }
    }
}

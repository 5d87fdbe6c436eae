// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.osgi.service.component.annotations.Component;

import dib.blockdevice.CreateContext;
import dib.blockdevice.FileSystem;
import dib.blockdevice.Node;
import dib.blockdevice.NodeType;
import dib.blockdevice.PlanContext;
import dib.blockdevice.Region;
import dib.core.build.BuildException;

/**
 * {@code mkfs}: a file system on its {@code base}, with upstream's options ({@code -L LABEL},
 * {@code -n LABEL} for FAT, {@code -U UUID} for ext and swap, {@code -m uuid=} for xfs,
 * {@code -q}), written without any loop device: ext2/3/4 directly into the image with
 * {@code mkfs.ext4 -E offset=N}, and already populated from the tree with {@code -d} when the
 * file system is mounted somewhere (one pass, no copy through a mount); FAT with
 * {@code mkfs.vfat --offset}; any other type (xfs, btrfs, swap, ...) into a sparse scratch
 * file that is then copied into its region with {@code dd conv=sparse}.
 */
@Component(service = NodeType.class, property = NodeType.KEY + "=mkfs")
public final class MkfsType implements NodeType {
    private static final String LABELS = "mkfs.labels";
    private static final Map<String, Integer> MAX_LABEL = Map.of("ext2", 16, "ext3", 16, "ext4", 16, "xfs", 12,
            "vfat", 11, "fat", 11, "swap", 16, "btrfs", 255);

    @Override
    public List<Node> parse(Map<String, Object> config, PlanContext plan) throws BuildException {
        EntryReader r = new EntryReader(config, plan, "mkfs");
        String name = r.required("name");
        String base = r.required("base");
        String type = r.required("type");
        String label = r.optional("label", name);
        boolean fat = type.equals("vfat") || type.equals("fat");
        if (fat) {
            label = label.toUpperCase(Locale.ROOT);
        }
        @SuppressWarnings("unchecked")
        Set<String> labels = (Set<String>) plan.state().computeIfAbsent(LABELS, k -> new HashSet<String>());
        if (!labels.add(label)) {
            throw r.error("file system label [" + label + "] used more than once");
        }
        Integer max = MAX_LABEL.get(type);
        if (max == null) {
            plan.warn("mkfs '" + name + "': the length of label [" + label + "] cannot be checked for file system ["
                    + type + "]");
        } else if (label.length() > max) {
            throw r.error("label [" + label + "] too long for file system [" + type + "]: " + label.length() + " > "
                    + max);
        }
        String uuid = r.optional("uuid", UUID.randomUUID().toString());
        return List.of(new FsNode(name, base, type, label, r.words("opts"), uuid));
    }

    /** One file system node. */
    record FsNode(String name, String base, String type, String label, List<String> opts, String uuid)
            implements Node {

        private boolean ext() {
            return type.equals("ext2") || type.equals("ext3") || type.equals("ext4");
        }

        private boolean fat() {
            return type.equals("vfat") || type.equals("fat");
        }

        private String tool() {
            return type.equals("swap") ? "mkswap" : fat() ? "mkfs.vfat" : "mkfs." + type;
        }

        @Override
        public List<String> after(PlanContext plan) {
            return List.of(base);
        }

        @Override
        public void check(PlanContext plan) throws BuildException {
            if (!Tools.exists(tool())) {
                throw new BuildException("mkfs '" + name + "': " + tool() + " is not installed (file system type '"
                        + type + "')");
            }
            if (fat() && !Tools.exists("mcopy")) {
                throw new BuildException("mkfs '" + name + "': mtools (mcopy) is not installed; dib writes FAT"
                        + " file systems with it");
            }
        }

        @Override
        public void create(CreateContext ctx) throws BuildException {
            Region region = ctx.region(base);
            Optional<String> mountPoint = ctx.mountPointOf(name);
            boolean populated = false;
            if (ext()) {
                populated = mountPoint.isPresent() && mountPoint.get().startsWith("/");
                ext(ctx, region, populated ? ctx.stage(mountPoint.get()) : null);
            } else if (fat()) {
                List<String> argv = new ArrayList<>(List.of("mkfs.vfat"));
                argv.addAll(opts);
                argv.addAll(List.of("-n", label, "--offset=" + region.offset() / 512, region.image().toString(),
                        Long.toString(region.size() / 1024)));
                run(ctx, argv, region);
            } else {
                viaScratchFile(ctx, region);
            }
            ctx.log("mkfs '" + name + "': " + type + " label " + label
                    + (populated ? ", populated from the tree" : ""));
            ctx.putFileSystem(new FileSystem(name, type, label, fat() ? null : uuid, region, populated));
        }

        private void ext(CreateContext ctx, Region region, Path stage) throws BuildException {
            List<String> argv = new ArrayList<>(List.of("mkfs." + type));
            List<String> extended = new ArrayList<>();
            for (int i = 0; i < opts.size(); i++) {
                String o = opts.get(i);
                if (o.equals("-E") && i + 1 < opts.size()) {
                    extended.add(opts.get(++i));
                } else if (o.startsWith("-E") && o.length() > 2) {
                    extended.add(o.substring(2));
                } else {
                    argv.add(o);
                }
            }
            // mke2fs keeps only its last -E, so every extended option goes into one
            extended.add("offset=" + region.offset());
            // -F twice: the image file already backs the loop device of a mounted partition,
            // which mke2fs takes for "in use"; the regions never overlap
            argv.addAll(List.of("-L", label, "-U", uuid, "-q", "-F", "-F"));
            if (stage != null) {
                argv.addAll(List.of("-d", stage.toString()));
            }
            argv.addAll(List.of("-E", String.join(",", extended), region.image().toString(),
                    region.size() / 1024 + "k"));
            run(ctx, argv, region);
        }

        private void viaScratchFile(CreateContext ctx, Region region) throws BuildException {
            Path scratch = ctx.imageDir().resolve(".mkfs-" + name + ".tmp");
            String what = "mkfs '" + name + "'";
            ctx.onRelease("scratch file " + scratch, () -> Cmd.bestEffort(ctx.sandbox(), "rm", "-f",
                    scratch.toString()));
            try {
                Cmd.quiet(ctx.sandbox(), what, "truncate", "-s", Long.toString(region.size()), scratch.toString());
                List<String> argv = new ArrayList<>();
                if (type.equals("swap")) {
                    argv.addAll(List.of("mkswap", "-L", label, "-U", uuid));
                } else {
                    argv.add(tool());
                    argv.addAll(opts);
                    argv.addAll(List.of("-L", label));
                    if (type.equals("xfs")) {
                        argv.addAll(List.of("-m", "uuid=" + uuid, "-q"));
                    }
                }
                argv.add(scratch.toString());
                run(ctx, argv, region);
                Cmd.quiet(ctx.sandbox(), what, "dd", "if=" + scratch, "of=" + region.image(), "bs=1M",
                        "seek=" + region.offset(), "oflag=seek_bytes", "conv=sparse,notrunc", "status=none");
            } finally {
                Cmd.bestEffort(ctx.sandbox(), "rm", "-f", scratch.toString());
            }
        }

        private void run(CreateContext ctx, List<String> argv, Region region) throws BuildException {
            try {
                Cmd.quiet(ctx.sandbox(), "mkfs '" + name + "'", argv.toArray(String[]::new));
            } catch (BuildException e) {
                String m = e.getMessage();
                if (m.contains("Could not allocate") || m.contains("No space left") || m.contains("too small")) {
                    throw new BuildException(m + " (the " + type + " file system of " + region.size() / 1024
                            + " KiB is too small for its files; raise --image-size or DIB_IMAGE_EXTRA_SIZE,"
                            + " or the size in the block-device config)", e);
                }
                if (m.contains("journal size too big")) {
                    throw new BuildException(m + " (the " + type + " file system of " + region.size() / 1024
                            + " KiB is too small for its journal; raise --image-size or DIB_IMAGE_EXTRA_SIZE,"
                            + " or lower --mkfs-journal-size)", e);
                }
                throw e;
            }
        }
    }
}

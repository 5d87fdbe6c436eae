// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dib.blockdevice.FileSystem;
import dib.blockdevice.FstabEntry;
import dib.blockdevice.Mount;
import dib.blockdevice.Node;
import dib.blockdevice.Region;
import dib.core.build.BuildContext;
import dib.core.build.BuildException;
import dib.core.image.DiskLayout;
import dib.core.sandbox.Sandbox;

/**
 * One build's plan and, once created, its image: the nodes in call order and the state they
 * share. See {@link dib.core.image.BlockDeviceLayer} for the protocol.
 */
public final class YamlLayout implements DiskLayout {
    private final BuildContext ctx;
    private final LayoutRegistry registry;
    private final String source;
    private final List<Node> order;
    private final Map<String, String> environment;
    private final Map<String, String> mountPoints;
    private final Params params;
    private final String rootFsType;
    private CreateState state;
    private Path rawImage;
    private boolean mounted;
    private boolean closed;

    YamlLayout(BuildContext ctx, LayoutRegistry registry, String source, List<Node> order,
            Map<String, String> environment, Map<String, String> mountPoints, Params params, String rootFsType) {
        this.ctx = ctx;
        this.registry = registry;
        this.source = source;
        this.order = List.copyOf(order);
        this.environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        this.mountPoints = Map.copyOf(mountPoints);
        this.params = params;
        this.rootFsType = rootFsType;
    }

    /** @return where the configuration came from */
    public String source() {
        return source;
    }

    /** @return the node names in call order */
    public List<String> callOrder() {
        List<String> names = new ArrayList<>();
        for (Node n : order) {
            names.add(n.name());
        }
        return names;
    }

    @Override
    public Map<String, String> environment() {
        return environment;
    }

    BuildContext build() {
        return ctx;
    }

    synchronized boolean created() {
        return state != null && rawImage != null && !closed;
    }

    /** @return the file systems, by mkfs node name (valid after create) */
    Map<String, FileSystem> fileSystems() {
        return Collections.unmodifiableMap(state.fileSystems());
    }

    /** @return the mounts in mount order (valid after create) */
    List<Mount> mounts() {
        return state.mounts();
    }

    /** @return the mount base given to create */
    Path mountBase() {
        return state.mountBase();
    }

    /** @return the scratch directory */
    Path workDir() {
        return state.workDir();
    }

    @Override
    public synchronized Map<String, String> create(Path tree, Path mountBase) throws BuildException {
        if (state != null || closed) {
            throw new IllegalStateException("create called twice");
        }
        long t0 = System.nanoTime();
        ctx.log("block device: creating the image from " + tree);
        Sandbox sb = ctx.sandbox();
        Path workDir = ctx.buildDir().resolve("block-device");
        Cmd.quiet(sb, "block device", "mkdir", "-p", workDir.toString(), mountBase.toString(),
                ctx.imageDir().toString());
        // upstream removes the tree's lost+found: the new file system makes its own
        if (Files.isDirectory(sb.host(tree).resolve("lost+found"), LinkOption.NOFOLLOW_LINKS)) {
            Cmd.quiet(sb, "block device", "rm", "-rf", tree.resolve("lost+found").toString());
        }
        long sizeKiB = params.imageSizeKiB(treeKiB(tree), rootFsType);
        ctx.log("block device: image size " + sizeKiB + " KiB (" + source + ")");
        state = new CreateState(ctx, tree, mountBase, workDir, sizeKiB * 1024, mountPoints);
        try {
            for (Node n : order) {
                ctx.checkCancelled();
                n.create(state);
            }
            writeFstab(mountBase);
        } catch (BuildException | RuntimeException e) {
            state.releaseAll();
            if (e instanceof BuildException be) {
                throw be;
            }
            throw new BuildException("block device: " + Messages.describe(e), e);
        } finally {
            state.dropStages();
        }
        Map<String, Region> regions = state.regions();
        Region image = regions.containsKey("image0") ? regions.get("image0")
                : regions.values().stream().findFirst().orElse(null);
        if (image == null) {
            state.releaseAll();
            throw new BuildException("block-device config (" + source + "): no node creates an image (local_loop)");
        }
        rawImage = image.image();
        mounted = true;
        registry.put(ctx.id(), this);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("IMAGE_BLOCK_DEVICE", rawImage.toString());
        StringBuilder all = new StringBuilder();
        for (Map.Entry<String, Region> e : regions.entrySet()) {
            Region r = e.getValue();
            all.append(" [").append(e.getKey()).append("]=").append(r.image())
                    .append(r.offset() == 0 ? "" : "@@" + r.offset()).append(' ');
        }
        env.put("IMAGE_BLOCK_DEVICES", all.toString());
        env.put("DIB_IMAGE_SIZE", Long.toString(sizeKiB));
        env.put("TMP_IMAGE_PATH", rawImage.toString());
        ctx.log(String.format(Locale.ROOT, "block device: created in %.3f s", (System.nanoTime() - t0) / 1e9));
        return env;
    }

    private long treeKiB(Path tree) throws BuildException {
        Sandbox sb = ctx.sandbox();
        if (!params.showUsage()) {
            String out = Cmd.capture(sb, "block device: measuring the tree", "du", "-s", "-x", "--block-size=1K",
                    tree.toString());
            return Long.parseLong(out.strip().split("\\s+")[0]);
        }
        String du = Cmd.capture(sb, "block device: measuring the tree", "du", "-a", "-c", "-x",
                "--block-size=1K", tree.toString());
        String[] lines = du.strip().split("\n");
        long total = Long.parseLong(lines[lines.length - 1].split("\\s+")[0]);
        UsageReport.print(ctx, du, params.showUsageFull());
        return total;
    }

    private void writeFstab(Path mountBase) throws BuildException {
        StringBuilder b = new StringBuilder();
        Map<String, FstabEntry> entries = state.fstab();
        for (Mount m : state.mounts()) {
            FstabEntry e = entries.get(m.node());
            if (e == null) {
                continue;
            }
            FileSystem fs = state.fileSystem(m.fileSystem());
            String id = fs.label() != null ? "LABEL=" + fs.label() : "UUID=" + fs.uuid();
            if (fs.isSwap()) {
                b.append(id).append(" none swap sw 0 0\n");
            } else {
                b.append(id).append(' ').append(m.mountPoint()).append(' ').append(fs.type()).append(' ')
                        .append(e.options()).append(' ').append(e.dumpFreq()).append(' ').append(e.fsckPassno())
                        .append('\n');
            }
        }
        if (state.mount("/").isEmpty()) {
            return;
        }
        Path etc = ctx.sandbox().host(mountBase).resolve("etc");
        try {
            if (Files.isSymbolicLink(etc) || Files.isSymbolicLink(etc.resolve("fstab"))) {
                throw new BuildException("block device: /etc or /etc/fstab of the image is a symbolic link;"
                        + " not writing fstab through it");
            }
            Files.createDirectories(etc);
            Files.writeString(etc.resolve("fstab"), b.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BuildException("block device: cannot write /etc/fstab: " + Messages.describe(e), e);
        }
    }

    @Override
    public synchronized void unmount() throws BuildException {
        if (!mounted) {
            return;
        }
        long t0 = System.nanoTime();
        List<Node> reverse = new ArrayList<>(order);
        Collections.reverse(reverse);
        for (Node n : reverse) {
            n.umount(state);
        }
        mounted = false;
        ctx.log(String.format(Locale.ROOT, "block device: unmounted in %.3f s", (System.nanoTime() - t0) / 1e9));
    }

    @Override
    public synchronized Path rawImage() {
        if (rawImage == null) {
            throw new IllegalStateException("rawImage before create");
        }
        return rawImage;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        registry.remove(ctx.id(), this);
        if (state != null) {
            state.releaseAll();
            Cmd.bestEffort(ctx.sandbox(), "rm", "-rf", "--one-file-system", state.workDir().toString());
        }
    }
}

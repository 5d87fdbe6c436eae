// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dib.blockdevice.CreateContext;
import dib.blockdevice.FileSystem;
import dib.blockdevice.FstabEntry;
import dib.blockdevice.Mount;
import dib.blockdevice.Region;
import dib.core.build.BuildContext;
import dib.core.build.BuildException;
import dib.core.sandbox.Sandbox;

/** The {@link CreateContext} of one layout: the state its nodes share, and what to release. */
final class CreateState implements CreateContext {
    private record Release(String what, CreateContext.Release action) {
    }

    private final BuildContext build;
    private final Path tree;
    private final Path mountBase;
    private final Path workDir;
    private final long imageSize;
    private final Map<String, String> mountPoints;
    private final Map<String, Region> regions = new LinkedHashMap<>();
    private final Map<String, FileSystem> fileSystems = new LinkedHashMap<>();
    private final Map<String, Mount> mounts = new LinkedHashMap<>();
    private final Map<String, FstabEntry> fstab = new LinkedHashMap<>();
    private final Map<String, Path> stages = new LinkedHashMap<>();
    private final Deque<Release> releases = new ArrayDeque<>();

    /**
     * @param mountPoints mkfs node name to mount point, from the configuration
     */
    CreateState(BuildContext build, Path tree, Path mountBase, Path workDir, long imageSize,
            Map<String, String> mountPoints) {
        this.build = build;
        this.tree = tree;
        this.mountBase = mountBase;
        this.workDir = workDir;
        this.imageSize = imageSize;
        this.mountPoints = Map.copyOf(mountPoints);
    }

    @Override
    public BuildContext build() {
        return build;
    }

    @Override
    public Sandbox sandbox() {
        return build.sandbox();
    }

    @Override
    public Path tree() {
        return tree;
    }

    @Override
    public Path mountBase() {
        return mountBase;
    }

    @Override
    public Path workDir() {
        return workDir;
    }

    @Override
    public Path imageDir() {
        return build.imageDir();
    }

    @Override
    public long imageSize() {
        return imageSize;
    }

    @Override
    public void putRegion(String node, Region region) {
        regions.put(node, region);
    }

    @Override
    public Region region(String node) throws BuildException {
        Region r = regions.get(node);
        if (r == null) {
            throw new BuildException("block-device node '" + node + "' provides no device to build on");
        }
        return r;
    }

    Map<String, Region> regions() {
        return regions;
    }

    @Override
    public void putFileSystem(FileSystem fs) {
        fileSystems.put(fs.node(), fs);
    }

    @Override
    public FileSystem fileSystem(String node) throws BuildException {
        FileSystem fs = fileSystems.get(node);
        if (fs == null) {
            throw new BuildException("block-device node '" + node + "' is not a file system");
        }
        return fs;
    }

    Map<String, FileSystem> fileSystems() {
        return fileSystems;
    }

    @Override
    public Optional<String> mountPointOf(String fileSystemNode) {
        return Optional.ofNullable(mountPoints.get(fileSystemNode));
    }

    @Override
    public Path stage(String mountPoint) throws BuildException {
        Path s = stages.get(mountPoint);
        if (s != null) {
            return s;
        }
        Sandbox sb = sandbox();
        Path empty = workDir.resolve("empty");
        Cmd.quiet(sb, "staging " + mountPoint, "mkdir", "-p", "-m", "0755", empty.toString());
        Path source = tree.resolve(relative(mountPoint));
        if (!Cmd.plainDirectory(sb, tree, relative(mountPoint))) {
            stages.put(mountPoint, empty);
            return empty;
        }
        Path view = workDir.resolve("stage").resolve(Integer.toString(stages.size()));
        Cmd.quiet(sb, "staging " + mountPoint, "mkdir", "-p", view.toString());
        stages.put(mountPoint, view);
        Cmd.quiet(sb, "staging " + mountPoint, "mount", "--bind", source.toString(), view.toString());
        // mask the mount points of the other file systems below, shallowest first (sorted)
        List<String> others = new ArrayList<>(mountPoints.values());
        others.sort(null);
        for (String other : others) {
            if (other.equals(mountPoint) || !other.startsWith("/") || !below(other, mountPoint)) {
                continue;
            }
            String rel = mountPoint.equals("/") ? relative(other) : other.substring(mountPoint.length() + 1);
            Path target = view.resolve(rel);
            if (Cmd.plainDirectory(sb, view, rel)) {
                Cmd.quiet(sb, "staging " + mountPoint, "mount", "--bind", empty.toString(), target.toString());
            }
        }
        return view;
    }

    private static boolean below(String path, String dir) {
        return dir.equals("/") ? !path.equals("/") : path.startsWith(dir + "/");
    }

    /** @return {@code mp} without its leading slash ("" for /) */
    static String relative(String mp) {
        String r = mp;
        while (r.startsWith("/")) {
            r = r.substring(1);
        }
        return r;
    }

    /** Unmounts every staging view. */
    void dropStages() {
        for (Path view : stages.values()) {
            if (!view.getFileName().toString().equals("empty")) {
                Cmd.bestEffort(sandbox(), "umount", "--recursive", view.toString());
            }
        }
        stages.clear();
    }

    @Override
    public void putMount(Mount mount) {
        mounts.put(mount.mountPoint(), mount);
    }

    @Override
    public Optional<Mount> mount(String mountPoint) {
        return Optional.ofNullable(mounts.get(mountPoint));
    }

    /** @return the mounts in the order they were made */
    List<Mount> mounts() {
        return List.copyOf(mounts.values());
    }

    @Override
    public void putFstab(FstabEntry entry) {
        fstab.put(entry.mount(), entry);
    }

    /** @return the fstab entries by mount node */
    Map<String, FstabEntry> fstab() {
        return fstab;
    }

    @Override
    public void onRelease(String what, CreateContext.Release action) {
        releases.push(new Release(what, action));
    }

    /** Runs every release action, newest first; failures are logged. */
    void releaseAll() {
        dropStages();
        while (!releases.isEmpty()) {
            Release r = releases.pop();
            try {
                r.action().run();
            } catch (Exception e) {
                log("WARNING: releasing " + r.what() + " failed: " + Messages.describe(e));
            }
        }
    }

    @Override
    public void log(String line) {
        build.log(line);
    }
}

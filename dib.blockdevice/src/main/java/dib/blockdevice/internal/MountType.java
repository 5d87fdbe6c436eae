// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.osgi.service.component.annotations.Component;

import dib.blockdevice.CreateContext;
import dib.blockdevice.FileSystem;
import dib.blockdevice.Mount;
import dib.blockdevice.Node;
import dib.blockdevice.NodeType;
import dib.blockdevice.PlanContext;
import dib.core.build.BuildException;
import dib.core.sandbox.Exec;

/**
 * {@code mount}: mounts its file system under the mount base inside the build's sandbox
 * with {@code mount -o loop,offset=N,sizelimit=M} (the loop device clears itself with the
 * mount, and with the sandbox), then copies the tree in with {@code cp -a} unless mkfs
 * already did. Mount nodes are ordered by mount point (plain string order, upstream's modern
 * rule: {@code /} before {@code /boot} before {@code /var} before {@code /var/log}); each one
 * follows the previous. Unmounting runs {@code sync}, {@code fstrim} and {@code umount}.
 *
 * <p>FAT is never mounted (no vfat module is assumed): its mount point is a plain directory
 * holding its files while the build runs; unmounting copies that directory into the fresh
 * FAT file system with {@code mcopy} and empties it. Swap is not mounted; its mount point is
 * {@code none}.
 */
@Component(service = NodeType.class, property = NodeType.KEY + "=mount")
public final class MountType implements NodeType {
    private static final String MOUNT_POINTS = "mount.points";

    @Override
    public List<Node> parse(Map<String, Object> config, PlanContext plan) throws BuildException {
        EntryReader r = new EntryReader(config, plan, "mount");
        String name = r.required("name");
        String base = r.required("base");
        String mp = r.required("mount_point");
        @SuppressWarnings("unchecked")
        Map<String, String> points = (Map<String, String>) plan.state().computeIfAbsent(MOUNT_POINTS,
                k -> new TreeMap<String, String>());
        if (points.containsKey(mp)) {
            throw r.error("mount point [" + mp + "] specified more than once");
        }
        if (!mp.equals("none") && !mp.startsWith("/")) {
            throw r.error("mount point '" + mp + "' is not absolute");
        }
        points.put(mp, name);
        return List.of(new MountNode(name, base, mp));
    }

    /** One mount node. */
    static final class MountNode implements Node {
        private final String name;
        private final String base;
        private final String mountPoint;
        private Path path;
        private boolean mounted;
        private boolean fat;

        MountNode(String name, String base, String mountPoint) {
            this.name = name;
            this.base = base;
            this.mountPoint = mountPoint;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<String> after(PlanContext plan) {
            @SuppressWarnings("unchecked")
            Map<String, String> points = (Map<String, String>) plan.state().get(MOUNT_POINTS);
            List<String> from = new ArrayList<>();
            String previous = null;
            for (Map.Entry<String, String> e : points.entrySet()) {
                if (e.getKey().equals(mountPoint)) {
                    break;
                }
                previous = e.getValue();
            }
            if (previous != null) {
                from.add(previous);
            }
            from.add(base);
            return from;
        }

        @Override
        public void create(CreateContext ctx) throws BuildException {
            FileSystem fs = ctx.fileSystem(base);
            String what = "mount '" + name + "' (" + mountPoint + ")";
            if (fs.isSwap() || mountPoint.equals("none")) {
                ctx.putMount(new Mount(name, base, "none", null));
                return;
            }
            if (fs.isFat() && mountPoint.equals("/")) {
                throw new BuildException(what + ": the root file system cannot be FAT");
            }
            path = ctx.mountBase().resolve(CreateState.relative(mountPoint));
            Cmd.quiet(ctx.sandbox(), what, "mkdir", "-p", path.toString());
            fat = fs.isFat();
            if (!fat) {
                List<String> argv = new ArrayList<>(List.of("mount", "-o", "loop," + fs.region().loopOptions()));
                argv.addAll(List.of("-t", fs.type(), fs.region().image().toString(), path.toString()));
                ctx.onRelease("mount " + path, () -> release(ctx));
                Cmd.quiet(ctx.sandbox(), what, argv.toArray(String[]::new));
                mounted = true;
            }
            if (!fs.populated()) {
                Path stage = ctx.stage(mountPoint);
                if (!empty(ctx, stage)) {
                    Cmd.quiet(ctx.sandbox(), what + ": copying the tree", "cp", "-a", stage + "/.", path + "/");
                }
            }
            ctx.putMount(new Mount(name, base, mountPoint, path));
            ctx.log(what + ": " + (fat ? "FAT contents gathered in " : "mounted at ") + path);
        }

        private static boolean empty(CreateContext ctx, Path dir) throws BuildException {
            try (Stream<Path> s = Files.list(ctx.sandbox().host(dir))) {
                return s.findAny().isEmpty();
            } catch (IOException e) {
                throw new BuildException("cannot read " + dir + ": " + Messages.describe(e), e);
            }
        }

        private void release(CreateContext ctx) {
            if (mounted) {
                Cmd.bestEffort(ctx.sandbox(), "umount", path.toString());
                Cmd.bestEffort(ctx.sandbox(), "umount", "-l", path.toString());
                mounted = false;
            }
        }

        @Override
        public void umount(CreateContext ctx) throws BuildException {
            if (path == null) {
                return;
            }
            String what = "unmounting " + mountPoint;
            if (fat) {
                writeFat(ctx, what);
                return;
            }
            if (!mounted) {
                return;
            }
            Cmd.quiet(ctx.sandbox(), what, "sync", "-f", path.toString());
            try {
                Cmd.quiet(ctx.sandbox(), what, "fstrim", "--verbose", path.toString());
            } catch (BuildException e) {
                ctx.log("WARNING: " + e.getMessage());
            }
            BuildException last = null;
            for (int attempt = 1; attempt <= 9; attempt++) {
                try {
                    Cmd.quiet(ctx.sandbox(), what, "umount", path.toString());
                    mounted = false;
                    return;
                } catch (BuildException e) {
                    last = e;
                    ctx.log("WARNING: " + e.getMessage() + " (attempt " + attempt + " of 9)");
                    try {
                        Thread.sleep(3000);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            throw last;
        }

        private void writeFat(CreateContext ctx, String what) throws BuildException {
            FileSystem fs = ctx.fileSystem(base);
            List<String> entries = new ArrayList<>();
            try (Stream<Path> s = Files.list(ctx.sandbox().host(path))) {
                s.forEach(p -> entries.add(path.resolve(p.getFileName().toString()).toString()));
            } catch (IOException e) {
                throw new BuildException(what + ": cannot read " + path + ": " + Messages.describe(e), e);
            }
            if (!entries.isEmpty()) {
                entries.sort(null);
                List<String> argv = new ArrayList<>(List.of("mcopy", "-s", "-p", "-m", "-Q", "-i",
                        fs.region().image() + "@@" + fs.region().offset()));
                argv.addAll(entries);
                argv.add("::/");
                Cmd.run(ctx.sandbox(), what + ": writing the FAT file system",
                        Exec.of(argv).env("MTOOLS_SKIP_CHECK", "1").quiet());
                Cmd.quiet(ctx.sandbox(), what, "find", path.toString(), "-mindepth", "1", "-delete");
            }
            path = null;
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dib.core.build.Build;
import dib.core.build.BuildException;
import dib.core.build.BuildRequest;
import dib.core.build.BuildResult;
import dib.core.build.BuildState;
import dib.core.build.ImageBuilder;
import dib.core.util.Json;

/**
 * {@code create} / {@code disk-image-create} and {@code ramdisk} / {@code ramdisk-image-create}:
 * upstream's command lines, parsed with getopt's rules into a {@link BuildRequest} for the
 * {@link ImageBuilder} service. The build's log goes to the console as it runs
 * (timestamped unless {@code DIB_NO_TIMESTAMP=1}, silent with {@code DIB_QUIET=1}); the
 * command fails with the build's exit status and its one-line reason.
 */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=create",
        "osgi.command.function=disk-image-create" })
public class CreateCommand extends DibCommand {
    static final String SHORT = "a:ho:t:xucnp:";
    static final String[] LONG = { "checksum", "no-tmpfs", "offline", "help", "version", "min-tmpfs:", "image-size:",
        "image-extra-size:", "image-cache:", "max-online-resize:", "mkfs-options:", "mkfs-journal-size:",
        "qemu-img-options:", "ramdisk-element:", "root-label:", "install-type:", "docker-target:", "logfile:",
        "background", "json" };

    private final ImageBuilder builder;
    private final boolean ramdisk;

    @Activate
    public CreateCommand(@Reference ImageBuilder builder) {
        this(builder, false);
    }

    protected CreateCommand(ImageBuilder builder, boolean ramdisk) {
        this.builder = builder;
        this.ramdisk = ramdisk;
    }

    @Override
    protected String name() {
        return ramdisk ? "ramdisk-image-create" : "disk-image-create";
    }

    @Override
    protected String summary() {
        return ramdisk ? "build a kernel + initramfs (upstream's ramdisk-image-create)"
                : "build a disk image (upstream's disk-image-create)";
    }

    @Override
    protected String usage() {
        return "[OPTIONS]... ELEMENT...";
    }

    @Override
    protected String help() {
        return """
                Builds an image from ELEMENT... (plus 'base' unless -n, and their dependencies).
                ramdisk / ramdisk-image-create builds a kernel + initramfs pair instead
                (the ramdisk element is added, tmpfs is off by default).

                  -a ARCH                 architecture (default: the host's, e.g. amd64)
                  -o NAME                 output name (default 'image'; .TYPE is stripped for one type)
                  -t TYPE[,TYPE]          output types: qcow2 (default), raw, vhd, vmdk, tar, tgz,
                                          squashfs, or any format qemu-img knows
                  -x                      trace: DIB_DEBUG_TRACE=1 (repeat for more)
                  -u                      do not compress qcow2
                  -c                      hooks get a clean environment (dib's variables only)
                  -n                      do not add the base element
                  -p PKG[,PKG]            extra packages, installed after install.d (repeatable)
                  --checksum              also write NAME.TYPE.md5 and NAME.TYPE.sha256
                  --image-size GB         image size (default: just large enough)
                  --image-extra-size MB   free space added to the automatic size
                  --image-cache DIR       download cache (default ~/.cache/image-create)
                  --max-online-resize N   ext4 -E resize=N
                  --min-tmpfs GB          build on tmpfs only with at least 2x this much RAM (default 2)
                  --no-tmpfs              never build on tmpfs
                  --offline               use cached downloads without asking the network
                  --mkfs-options OPTS     extra options for the root file system's mkfs
                  --mkfs-journal-size MB  ext4 journal size (default 64)
                  --qemu-img-options OPTS qemu-img convert -o OPTS
                  --root-label LABEL      root file system label (default cloudimg-rootfs, xfs img-rootfs)
                  --install-type TYPE     default install type (source)
                  --ramdisk-element E     the ramdisk element (ramdisk builds; default ramdisk)
                  --logfile FILE          also write the log to FILE
                  --background            (shell) start the build, print its id and return; follow it
                                          with 'log -f ID', stop it with 'cancel ID'
                  --json                  print the result as JSON instead of the log (with
                                          --background: the build id)
                  --version               print dib's version

                In the foreground the build's log is printed as it runs; on a terminal a progress line
                (phase, hook, elapsed time, downloads) stays below it (not with break=..., whose
                shells use the terminal). Ctrl-C in the shell cancels
                the build. Exit status: 0 on success, else the build's (1 for most failures).

                Environment (the shell's variables, NAME = value, count too): ELEMENTS_PATH, DIB_*
                element variables, FS_TYPE, TMP_DIR, break=before-X,after-X,after-error, DIB_QUIET=1
                (no log lines), DIB_NO_TIMESTAMP=1, OVERWRITE_OLD_IMAGE, ...
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) throws Exception {
        Getopt.Result r;
        try {
            r = new Getopt(name(), SHORT, LONG).parse(args);
        } catch (CommandFailure f) {
            // upstream: getopt's message, then exit 1
            throw new CommandFailure(1, f.getMessage());
        }
        PrintStream out = out();
        if (r.has("version")) {
            out.println(versionString());
            out.flush();
            return null;
        }
        boolean json = r.has("json");
        boolean background = r.has("background");
        Map<String, String> env = environment(session);
        BuildRequest.Builder b = BuildRequest.builder().elements(r.operands()).environment(env)
                .workingDirectory(cwd(session)).arguments(args)
                .terminal(Terminal.attached() && !background);
        for (Getopt.Option o : r.options()) {
            String v = o.value();
            switch (o.name()) {
                case "a" -> b.arch(v);
                case "o" -> b.imageName(v);
                case "t" -> b.types(List.of(v.split(",")));
                case "x" -> b.debugTrace(r.count("x"));
                case "u" -> b.uncompressed(true);
                case "c" -> b.clearEnvironment(true);
                case "n" -> b.skipBase(true);
                case "p" -> b.packages(List.of(v.split(",")));
                case "checksum" -> b.checksum(true);
                case "no-tmpfs" -> b.noTmpfs(true);
                case "offline" -> b.offline(true);
                case "min-tmpfs" -> b.minTmpfs(number(v, "--min-tmpfs"));
                case "image-size" -> b.imageSize(v);
                case "image-extra-size" -> b.imageExtraSize(v);
                case "image-cache" -> b.imageCache(cwd(session).resolve(v));
                case "max-online-resize" -> b.maxOnlineResize(v);
                case "mkfs-options" -> b.mkfsOptions(v);
                case "mkfs-journal-size" -> b.mkfsJournalSize(v);
                case "qemu-img-options" -> b.qemuImgOptions(v);
                case "ramdisk-element" -> b.ramdiskElement(v);
                case "root-label" -> b.rootLabel(v);
                case "install-type" -> b.installType(v);
                case "docker-target" -> b.dockerTarget(v);
                case "logfile" -> b.logfile(cwd(session).resolve(v));
                default -> {
                    // help, version, background and json are handled here, not by the engine
                }
            }
        }
        if (ramdisk && r.last("ramdisk-element") == null) {
            b.ramdiskElement("ramdisk");
        }
        if (!ramdisk && r.last("ramdisk-element") != null) {
            // upstream only uses --ramdisk-element under the ramdisk-image-create name
            b.ramdiskElement(null);
        }
        if (r.operands().isEmpty()) {
            throw new CommandFailure(1, "ERROR: At least one distribution root element must be specified");
        }
        Build build;
        try {
            build = builder.start(b.build());
        } catch (BuildException e) {
            throw new CommandFailure(e.exitStatus(), e.getMessage());
        }
        if (background) {
            out.println(json ? Json.pretty(Map.of("id", build.id())) : build.id());
            out.flush();
            return null;
        }
        boolean terminal = Terminal.attached();
        // upstream: --logfile implies DIB_QUIET=1 unless DIB_QUIET is set
        boolean quiet = json || "1".equals(env.get("DIB_QUIET"))
                || (r.has("logfile") && !env.containsKey("DIB_QUIET"));
        // with break points the build hands the terminal to a shell; a progress line redrawn
        // meanwhile would write over that shell's prompt
        boolean progress = terminal && (env.get("break") == null || env.get("break").isBlank());
        Follower.Options options = new Follower.Options(progress, quiet,
                !"1".equals(env.get("DIB_NO_TIMESTAMP")), terminal ? Terminal.width(session) : Terminal.DEFAULT_WIDTH);
        BuildResult result;
        boolean interrupted = false;
        try (CtrlC ctrlC = CtrlC.interruptThisThread(session)) {
            try {
                result = new Follower(build, out, options).follow();
            } catch (InterruptedException e) {
                // Ctrl-C in the console: the build stops and releases everything, as upstream's does
                interrupted = true;
                build.cancel();
                result = awaitUninterruptibly(build);
            }
        }
        if (json) {
            out.println(Json.pretty(BuildsCommand.describe(build, result)));
        } else if (progress && result.succeeded()) {
            out.println("build " + build.id() + " succeeded in " + Progress.elapsed(result.elapsed()) + ": "
                    + String.join(" ", result.outputs().stream().map(Object::toString).toList()));
        }
        out.flush();
        if (!result.succeeded()) {
            if (result.state() == BuildState.CANCELLED) {
                throw new CommandFailure(interrupted ? 130 : Math.max(1, result.exitStatus()), "build " + build.id()
                        + " cancelled" + (interrupted ? " (Ctrl-C); nothing of it is left" : ""));
            }
            throw new CommandFailure(result.exitStatus() == 0 ? 1 : result.exitStatus(),
                    result.message() != null ? result.message()
                            : "build " + build.id() + " " + result.state().name().toLowerCase());
        }
        return null;
    }

    /** Waits for a cancelled build's cleanup; further Ctrl-C presses cannot cut it short. */
    static BuildResult awaitUninterruptibly(Build build) throws Exception {
        boolean again = false;
        try {
            while (true) {
                try {
                    return build.result().toCompletableFuture().get();
                } catch (InterruptedException e) {
                    again = true;
                }
            }
        } finally {
            if (again) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int number(String v, String option) {
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new CommandFailure(1, "invalid " + option + " '" + v + "': a whole number is expected");
        }
    }

    static String versionString() {
        Package p = CreateCommand.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return "dib " + (v == null ? "1.0.0" : v);
    }
}

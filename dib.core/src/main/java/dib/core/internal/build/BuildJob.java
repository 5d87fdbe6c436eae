// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dib.core.build.Build;
import dib.core.build.BuildContext;
import dib.core.build.BuildEvent;
import dib.core.build.BuildException;
import dib.core.build.BuildListener;
import dib.core.build.BuildRequest;
import dib.core.build.BuildResult;
import dib.core.build.BuildResult.HookTiming;
import dib.core.build.BuildState;
import dib.core.cache.DownloadCache;
import dib.core.element.ElementSet;
import dib.core.image.DiskLayout;
import dib.core.image.OutputFormat;
import dib.core.internal.io.FileTrees;
import dib.core.internal.sandbox.NamespaceSandbox;
import dib.core.sandbox.ClosableSandbox;
import dib.core.sandbox.Exec;
import dib.core.sandbox.ExecResult;
import dib.core.sandbox.Sandbox;
import dib.core.sandbox.SandboxException;
import dib.core.util.Shell;

/**
 * One build: the phases of upstream's {@code disk-image-create}, run on a thread of its own
 * inside a {@link NamespaceSandbox}.
 *
 * <p>Order (upstream modern): root (outside) · resolv.conf swapped, proc/dev/sys mounted ·
 * extra-data (outside) · pre-install, install (chroot) · {@code -p} packages · post-install
 * (chroot) · post-root (outside) · element mounts released, tree moved to {@code built} ·
 * block-device layer creates and fills the image, mounted at {@code mnt} · block-device
 * (outside) · pre-finalise (outside) · finalise (chroot) · cleanup (outside) · resolv.conf
 * restored, /tmp emptied, logs truncated · tree outputs (tar, squashfs) · unmount · disk
 * outputs (qcow2, ...) · every output renamed into place.
 *
 * <p>Whatever happens, {@link #cleanup} kills the namespace (every process and mount of the
 * build goes with it), deletes the build directories and partial outputs and removes the
 * ledger entry.
 */
final class BuildJob implements Build, Runnable {
    private static final Pattern DEFAULT_HOOK_REGEX = HookTree.HOOK_NAME;
    private static final int TAIL = 25;

    private final ImageBuilderImpl owner;
    private final String id;
    private final BuildRequest request;
    private final ImageBuilderImpl.Plan plan;
    private final Instant started = Instant.now();
    private final CopyOnWriteArrayList<BuildListener> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<BuildResult> result = new CompletableFuture<>();
    private final Map<String, String> env = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, Duration> phaseTimings = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<HookTiming> hookTimings = new CopyOnWriteArrayList<>();
    private final List<Path[]> outputs = new ArrayList<>(); // {partial, final}
    private final Ledger ledger;

    private volatile BuildState state = BuildState.QUEUED;
    private volatile String phase;
    private volatile boolean cancelled;
    private volatile Instant finished;
    private volatile Thread thread;

    private BuildLog log;
    private volatile ClosableSandbox sandbox;
    private HookTree hooks;
    private CallBridge bridge;
    private DiskLayout layout;
    private DownloadCache cache;
    private Path buildDir;
    private Path imageDir;
    private Path hooksDir;
    private Path mnt;
    private boolean resolvSwapped;
    private final java.util.Set<String> layoutMounts = java.util.concurrent.ConcurrentHashMap.newKeySet();

    BuildJob(ImageBuilderImpl owner, String id, BuildRequest request, ImageBuilderImpl.Plan plan, Ledger ledger) {
        this.owner = owner;
        this.id = id;
        this.request = request;
        this.plan = plan;
        this.ledger = ledger;
    }

    // ------------------------------------------------------------------ Build

    @Override
    public String id() {
        return id;
    }

    @Override
    public BuildRequest request() {
        return request;
    }

    @Override
    public List<String> elements() {
        return plan.elements().names();
    }

    @Override
    public BuildState state() {
        return state;
    }

    @Override
    public String phase() {
        return phase;
    }

    @Override
    public Instant started() {
        return started;
    }

    @Override
    public Duration elapsed() {
        Instant end = finished;
        return Duration.between(started, end == null ? Instant.now() : end);
    }

    @Override
    public Path log() {
        return plan.logFile();
    }

    @Override
    public void addListener(BuildListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(BuildListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void cancel() {
        if (state.done() || cancelled) {
            return;
        }
        cancelled = true;
        log("build cancelled");
        ClosableSandbox sb = sandbox;
        if (sb != null) {
            // kills every process of the build at once; the build thread then cleans up
            sb.close();
        }
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public CompletionStage<BuildResult> result() {
        return result;
    }

    @Override
    public BuildResult await() throws InterruptedException {
        try {
            return result.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    // ------------------------------------------------------------------ BuildContext

    /** What plug-ins see of this build. */
    final BuildContext context = new Context();

    private final class Context implements BuildContext {
        @Override
        public String id() {
            return id;
        }

        @Override
        public BuildRequest request() {
            return request;
        }


        @Override
        public ElementSet elements() {
            return plan.elements();
        }

        @Override
        public String arch() {
            return plan.arch();
        }

        @Override
        public Path imageName() {
            return plan.imageName();
        }

        @Override
        public Map<String, String> environment() {
            synchronized (env) {
                return Map.copyOf(env);
            }
        }

        @Override
        public void putEnvironment(String key, String value) {
            if (value == null) {
                env.remove(key);
            } else {
                env.put(key, value);
            }
        }

        @Override
        public Path buildDir() {
            return buildDir;
        }

        @Override
        public Path imageDir() {
            return imageDir;
        }

        @Override
        public Path hooksDir() {
            return hooksDir;
        }

        @Override
        public Path mountBase() {
            return mnt;
        }

        @Override
        public Sandbox sandbox() {
            return sandbox;
        }

        @Override
        public DownloadCache cache() {
            return cache;
        }

        @Override
        public boolean offline() {
            return plan.offline();
        }

        @Override
        public void log(String line) {
            String stamped = BuildLog.stamp(line);
            BuildLog l = log;
            if (l != null) {
                l.write(stamped);
            }
            event(BuildEvent.log(id, line));
        }

        @Override
        public void event(BuildEvent e) {
            for (BuildListener l : listeners) {
                try {
                    l.onEvent(e);
                } catch (RuntimeException ex) {
                    listeners.remove(l);
                }
            }
        }

        @Override
        public void checkCancelled() throws BuildException {
            if (cancelled) {
                throw new BuildException("build " + id + " was cancelled", 130, null);
            }
        }
    }

    // shortcuts used by the pipeline
    void log(String line) {
        context.log(line);
    }

    void event(BuildEvent e) {
        context.event(e);
    }

    void checkCancelled() throws BuildException {
        context.checkCancelled();
    }

    void putEnvironment(String k, String v) {
        context.putEnvironment(k, v);
    }

    // ------------------------------------------------------------------ pipeline

    @Override
    public void run() {
        thread = Thread.currentThread();
        BuildResult r;
        setState(BuildState.RUNNING);
        try {
            prepare();
            pipeline();
            publishOutputs();
            r = result(BuildState.SUCCEEDED, 0, null);
        } catch (BuildException e) {
            r = cancelled ? result(BuildState.CANCELLED, 130, "build " + id + " was cancelled")
                    : result(BuildState.FAILED, e.exitStatus(), e.getMessage());
        } catch (InterruptedException e) {
            r = result(BuildState.CANCELLED, 130, "build " + id + " was cancelled");
        } catch (RuntimeException | Error e) {
            r = result(cancelled ? BuildState.CANCELLED : BuildState.FAILED, cancelled ? 130 : 1,
                    cancelled ? "build " + id + " was cancelled" : "internal error: " + e);
            owner.logError("build " + id + " failed unexpectedly", e);
        }
        if (!r.succeeded()) {
            log((r.state() == BuildState.CANCELLED ? "CANCELLED: " : "ERROR: ") + r.message());
        }
        cleanup(r.succeeded());
        if (r.succeeded()) {
            log("Build completed successfully");
        }
        writeTimingTable();
        finished = Instant.now();
        r = new BuildResult(r.state(), r.exitStatus(), r.message(), r.outputs(), r.phaseTimings(), r.hookTimings(),
                r.log(), elapsed());
        BuildLog l = log;
        if (l != null) {
            l.close();
        }
        setState(r.state());
        result.complete(r);
        Thread.interrupted(); // clear a cancel interrupt before the thread returns to its pool
    }

    private BuildResult result(BuildState s, int status, String message) {
        List<Path> outs = s == BuildState.SUCCEEDED ? finalOutputs() : List.of();
        return new BuildResult(s, status, message, outs, new LinkedHashMap<>(phaseTimings),
                List.copyOf(hookTimings), plan.logFile(), elapsed());
    }

    private List<Path> finalOutputs() {
        List<Path> out = new ArrayList<>();
        synchronized (outputs) {
            for (Path[] o : outputs) {
                out.add(o[1]);
            }
        }
        if (request.ramdisk()) {
            for (String ext : List.of("kernel", "initramfs")) {
                Path p = Path.of(plan.imageName() + "." + ext);
                if (Files.exists(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private void setState(BuildState s) {
        state = s;
        event(BuildEvent.state(id, s));
    }

    private void prepare() throws BuildException, InterruptedException {
        try {
            log = new BuildLog(plan.logFile(), request.logfile());
        } catch (IOException e) {
            throw new BuildException("cannot write the build log " + plan.logFile() + ": " + e.getMessage(), e);
        }
        log("dib " + ImageBuilderImpl.version() + " build " + id + ": " + Shell.join(request.arguments()));
        log("Building elements: " + String.join(" ", plan.requested()));
        log("Expanded element dependencies to: " + plan.elements().imageElement());
        Path tmp = plan.tmpDir();
        try {
            Files.createDirectories(tmp);
            buildDir = Files.createTempDirectory(tmp, "dib_build.");
            imageDir = Files.createTempDirectory(tmp, "dib_image.");
            ledger.set("build.dir", buildDir.toString()).set("image.dir", imageDir.toString()).save();
        } catch (IOException e) {
            throw new BuildException("cannot create the build directory in " + tmp + " (TMP_DIR): " + e.getMessage(),
                    e);
        }
        try {
            sandbox = NamespaceSandbox.open(this::log);
            ledger.set("holder.pid", Long.toString(sandbox.holderPid()))
                    .set("holder.start", Long.toString(Ledger.startTime(sandbox.holderPid()))).save();
        } catch (IOException e) {
            throw new BuildException(e.getMessage(), e);
        }
        checkCancelled();
        if (plan.tmpfs()) {
            run(Exec.of("mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", buildDir.toString()).quiet());
            run(Exec.of("mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", imageDir.toString()).quiet());
        } else {
            log(plan.tmpfsMessage());
        }
        hooksDir = buildDir.resolve("hooks");
        mnt = buildDir.resolve("mnt");
        cache = owner.cache(plan.cacheDir(), plan.offline(), id, this::event, this::log);
        try {
            Files.createDirectories(host(mnt));
            hooks = new HookTree(host(hooksDir));
            hooks.assemble(plan.elements());
            installEngineFiles();
        } catch (IOException e) {
            throw new BuildException("cannot prepare the build directory: " + e.getMessage(), e);
        }
        buildEnvironment();
        bridge = new CallBridge(context, hooksDir.resolve(".dib/call"), owner::hookCommand, n -> owner.hookCommandNames());
        if (plan.useLayout()) {
            layout = owner.layer().plan(context);
            synchronized (env) {
                env.putAll(layout.environment());
            }
        }
        checkCancelled();
    }

    private void installEngineFiles() throws IOException {
        Path h = host(hooksDir);
        copyResource("dib-run-parts", h.resolve("dib-run-parts"));
        hooks.own("dib-run-parts", "dib");
        Files.createDirectories(h.resolve("bin"));
        Path call = h.resolve("bin/dib-call");
        if (Files.exists(call, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("element " + hooks.owner("bin/dib-call") + " ships bin/dib-call, a name dib reserves");
        }
        copyResource("dib-call", call);
        hooks.own("bin/dib-call", "dib");
        Path envd = h.resolve("environment.d");
        Files.createDirectories(envd);
        Files.writeString(envd.resolve("11-dib-install-type.bash"),
                "export DIB_DEFAULT_INSTALLTYPE=${DIB_DEFAULT_INSTALLTYPE:-\"" + plan.installType() + "\"}\n");
        hooks.own("environment.d/11-dib-install-type.bash", "dib");
        Files.createDirectories(h.resolve(".dib"));
    }

    private static void copyResource(String name, Path dest) throws IOException {
        try (InputStream in = BuildJob.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("resource " + name + " missing from dib.core");
            }
            Files.copy(in, dest, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(dest, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The environment hooks see (upstream's exported variables). */
    private void buildEnvironment() {
        Map<String, String> e = new LinkedHashMap<>();
        Map<String, String> caller = request.environment();
        if (request.clearEnvironment()) {
            for (String k : List.of("PATH", "TERM", "http_proxy", "https_proxy", "no_proxy")) {
                if (caller.containsKey(k)) {
                    e.put(k, caller.get(k));
                }
            }
            e.put("HOME", "/root");
        } else {
            e.putAll(caller);
        }
        e.remove("_DIB_ARGS");
        e.put("LC_ALL", "C");
        e.put("LANG", "C");
        String path = e.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String d : List.of("/sbin", "/usr/sbin", "/usr/local/sbin")) {
            if (!(":" + path + ":").contains(":" + d + ":")) {
                path = path + ":" + d;
            }
        }
        e.put("PATH", path);
        e.put("ARCH", plan.arch());
        e.put("IMAGE_NAME", plan.imageName().toString());
        e.put("IMAGE_TYPES", String.join(" ", plan.types()));
        e.put("IMAGE_ELEMENT", plan.elements().imageElement());
        e.put("IMAGE_ELEMENT_YAML", plan.elements().imageElementYaml());
        // bash imports exported functions from variables named like this
        e.put("BASH_FUNC_get_image_element_array%%",
                "() {  echo " + Shell.quote(plan.elements().imageElementArray()) + "\n}");
        e.put("ELEMENTS_PATH", plan.elementsPath());
        e.put("DIB_OFFLINE", plan.offline() ? "1" : "");
        e.put("DIB_IMAGE_CACHE", plan.cacheDir().toString());
        e.put("DIB_DEBUG_TRACE", Integer.toString(plan.debugTrace()));
        e.put("DIB_NO_TMPFS", plan.tmpfs() ? "0" : "1");
        e.put("DIB_MIN_TMPFS", Integer.toString(plan.minTmpfs()));
        e.put("DIB_DEFAULT_INSTALLTYPE", plan.installType());
        e.put("DIB_ARGS", Shell.join(request.arguments()));
        e.put("DIB_ENV", dibEnv(caller));
        e.put("FS_TYPE", caller.getOrDefault("FS_TYPE", "ext4").isEmpty() ? "ext4" : caller.getOrDefault("FS_TYPE", "ext4"));
        if (request.rootLabel() != null) {
            e.put("ROOT_LABEL", request.rootLabel());
        }
        if (request.mkfsOptions() != null) {
            e.put("MKFS_OPTS", request.mkfsOptions());
        }
        if (request.maxOnlineResize() != null) {
            e.put("MAX_ONLINE_RESIZE", request.maxOnlineResize());
        }
        if (request.imageSize() != null) {
            e.put("DIB_IMAGE_SIZE", request.imageSize());
        }
        if (request.imageExtraSize() != null) {
            e.put("DIB_IMAGE_EXTRA_SIZE", request.imageExtraSize());
        }
        if (request.mkfsJournalSize() != null) {
            e.put("DIB_JOURNAL_SIZE", request.mkfsJournalSize());
        }
        if (request.qemuImgOptions() != null) {
            e.put("QEMU_IMG_OPTIONS", request.qemuImgOptions());
        }
        if (request.uncompressed()) {
            e.put("COMPRESS_IMAGE", "");
        }
        if (request.checksum()) {
            e.put("DIB_CHECKSUM", "1");
        }
        if (request.dockerTarget() != null) {
            e.put("DOCKER_TARGET", request.dockerTarget());
        }
        if (request.ramdisk()) {
            e.put("RAMDISK_ELEMENT", request.ramdiskElement());
            e.put("IS_RAMDISK", "1");
        }
        e.put("TMP_BUILD_DIR", buildDir.toString());
        e.put("TMP_IMAGE_DIR", imageDir.toString());
        e.put("TMP_HOOKS_PATH", hooksDir.toString());
        e.put("TMP_MOUNT_PATH", mnt.toString());
        e.put("TARGET_ROOT", mnt.toString());
        e.put("DIB_BUILD_ID", id);
        synchronized (env) {
            env.clear();
            env.putAll(e);
        }
    }

    /** Upstream's DIB_ENV: the exported DIB_* variables as {@code declare -x} lines. */
    private static String dibEnv(Map<String, String> caller) {
        return new TreeMap<>(caller).entrySet().stream().filter(x -> x.getKey().startsWith("DIB_"))
                .map(x -> "declare -x " + x.getKey() + "=\"" + x.getValue().replace("\\", "\\\\")
                        .replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`") + "\"")
                .collect(Collectors.joining("\n"));
    }

    private void pipeline() throws BuildException, InterruptedException {
        runPhase("root", false);
        checkRootTree();
        swapResolvConf();
        mountProcDevSys(mnt);
        runPhase("extra-data", false);
        runPhase("pre-install", true);
        runPhase("install", true);
        installPackages();
        runPhase("post-install", true);
        runPhase("post-root", false);
        removeLostAndFound();
        unmountUnder(mnt);
        if (layout != null) {
            Path built = buildDir.resolve("built");
            move(mnt, built);
            run(Exec.of("mkdir", "-p", mnt.toString()).quiet());
            phase = "create image";
            Map<String, String> created = layout.create(built, mnt);
            synchronized (env) {
                env.putAll(created);
            }
            // the layout's own mounts are its to release; the engine releases only the rest
            layoutMounts.addAll(mountPoints(mnt, true));
            log("block devices mounted: " + String.join(", ", layoutMounts));
            mountProcDevSys(mnt);
            runBlockDevicePhase();
        } else {
            mountProcDevSys(mnt);
            runBlockDevicePhase();
        }
        runPhase("pre-finalise", false);
        runPhase("finalise", true);
        runPhase("cleanup", false);
        finaliseBase();
        // proc, dev, sys and element mounts go before the tree is archived (upstream's tar
        // would otherwise pick up the host's /dev)
        unmountUnder(mnt);
        writeOutputs(OutputFormat.Source.TREE, mnt);
        if (layout != null) {
            layout.unmount();
            if (!plan.noFinalImage()) {
                writeOutputs(OutputFormat.Source.DISK, layout.rawImage());
            }
        }
    }

    private void checkRootTree() throws BuildException {
        try (var s = Files.list(host(mnt))) {
            boolean any = s.map(p -> p.getFileName().toString()).anyMatch(n -> !n.equals("lost+found")
                    && !n.equals("tmp"));
            if (!any) {
                throw new BuildException("the root tree is empty after root.d: please include at least one "
                        + "distribution root element (one that provides operating-system and creates the tree)");
            }
        } catch (IOException e) {
            throw new BuildException("cannot read the root tree: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ phases

    /**
     * Runs one phase. Outside phases always offer their break points; in-target phases are
     * skipped (break points included) when no element has the directory, as upstream.
     */
    private void runPhase(String name, boolean inTarget) throws BuildException, InterruptedException {
        checkCancelled();
        String dir = name + ".d";
        List<String> list;
        List<String> envFiles;
        try {
            list = hooks.hooks(dir, hookRegex(), hooksDir, this::host);
            envFiles = hooks.environmentFiles(this::host);
        } catch (IOException e) {
            throw new BuildException("cannot list the hooks of " + dir + ": " + e.getMessage(), e);
        }
        boolean exists = Files.isDirectory(host(hooksDir.resolve(dir)));
        if (inTarget && !exists) {
            return;
        }
        phase = name;
        Instant t0 = Instant.now();
        event(BuildEvent.phaseStarted(id, name));
        breakPoint("before-" + name, inTarget);
        int rc = 0;
        try {
            if (!list.isEmpty()) {
                if (inTarget) {
                    bindHooks();
                }
                try {
                    rc = runHooks(name, dir, list, envFiles, inTarget);
                } finally {
                    if (inTarget) {
                        unbindHooks();
                    }
                }
            }
        } finally {
            Duration d = Duration.between(t0, Instant.now());
            phaseTimings.merge(name, d, Duration::plus);
            event(BuildEvent.phaseFinished(id, name, d, rc));
        }
        breakPoint("after-" + name, inTarget);
    }

    private Pattern hookRegex() {
        String r = env.get("RUN_PARTS_REGEX");
        if (r == null || r.isEmpty()) {
            return DEFAULT_HOOK_REGEX;
        }
        String p = r.startsWith("^") ? r.substring(1) : r;
        p = p.endsWith("$") ? p.substring(0, p.length() - 1) : p;
        return Pattern.compile(p);
    }

    private int runHooks(String name, String dir, List<String> list, List<String> envFiles, boolean inTarget)
            throws BuildException, InterruptedException {
        Path base = inTarget ? Path.of("/tmp/in_target.d") : hooksDir;
        List<String> argv = new ArrayList<>();
        if (inTarget) {
            argv.addAll(List.of("/bin/sh", "-c",
                    "if [ -x /bin/bash ]; then exec /bin/bash \"$@\"; else exec /bin/sh \"$@\"; fi", "sh"));
        } else {
            argv.add("bash");
        }
        argv.addAll(List.of(base.resolve("dib-run-parts").toString(), "--engine", base.resolve(dir).toString()));
        for (String f : envFiles) {
            argv.add("--env");
            argv.add(base.resolve("environment.d").resolve(f).toString());
        }
        argv.add("--");
        argv.addAll(list);

        HookEvents events = new HookEvents(name, dir);
        Exec exec = Exec.of(argv).environment(hookEnvironment(inTarget)).label(dir)
                .lines(events::output, events::control);
        if (inTarget) {
            exec.chroot(mnt);
        } else {
            exec.cwd(request.workingDirectory());
        }
        ExecResult r;
        try {
            r = sandbox.run(exec);
        } catch (IOException e) {
            checkCancelled();
            throw new BuildException("cannot run the hooks of " + dir + ": " + e.getMessage(), e);
        }
        checkCancelled();
        events.finish();
        if (r.exitStatus() != 0) {
            if (inTarget || name.equals("block-device")) {
                breakPoint("after-error", inTarget && !env.containsKey("break_outside_target"));
            }
            throw events.failure(r.exitStatus());
        }
        return 0;
    }

    /** The hook environment, adjusted for the chroot as upstream's run_in_target does. */
    private Map<String, String> hookEnvironment(boolean inTarget) {
        Map<String, String> e;
        synchronized (env) {
            e = new LinkedHashMap<>(env);
        }
        if (inTarget) {
            e.remove("TMPDIR");
            e.remove("VIRTUAL_ENV");
            e.put("HOME", "/root");
            e.put("PATH", e.getOrDefault("PATH", "") + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
            e.put("DIB_CALL_ROOT", mnt.toString());
        }
        return e;
    }

    /** Parses the runner's event lines and keeps the output of the running hook. */
    private final class HookEvents {
        private final String phaseName;
        private final String dir;
        private final Deque<String> tail = new ArrayDeque<>();
        private String current;
        private String currentElement;
        private Instant hookStart;
        private String failedHook;
        private String failedElement;

        HookEvents(String phaseName, String dir) {
            this.phaseName = phaseName;
            this.dir = dir;
        }

        void output(String line) {
            // events share standard output with the hooks (so their order is exact); a
            // hook's last line may lack its newline, so an event can follow on the same line
            int ev = line.indexOf("\u0001dib ");
            if (ev >= 0) {
                if (ev > 0) {
                    hookLine(line.substring(0, ev));
                }
                control(line.substring(ev));
                return;
            }
            hookLine(line);
        }

        private void hookLine(String line) {
            synchronized (this) {
                tail.add(line);
                if (tail.size() > TAIL) {
                    tail.removeFirst();
                }
            }
            if (phaseName.equals("block-device")) {
                int i = line.indexOf("IMAGE_BLOCK_DEVICE=");
                if (i >= 0) {
                    String v = line.substring(i + "IMAGE_BLOCK_DEVICE=".length()).strip();
                    putEnvironment("IMAGE_BLOCK_DEVICE", v.replaceAll("^[\"']|[\"']$", ""));
                }
            }
            log(line);
        }

        void control(String line) {
            if (!line.startsWith("\u0001dib ")) {
                log(line);
                return;
            }
            String[] f = line.substring(5).split(" ");
            synchronized (this) {
                if (f[0].equals("start") && f.length >= 2) {
                    current = f[1];
                    currentElement = hooks.owner(dir + "/" + current);
                    hookStart = Instant.now();
                    tail.clear();
                    log("dib-run-parts Running " + dir + "/" + current + " (element " + currentElement + ")");
                    event(BuildEvent.hookStarted(id, phaseName, currentElement, current));
                } else if (f[0].equals("end") && f.length >= 3) {
                    int rc = parseInt(f[2]);
                    Duration d = Duration.between(hookStart == null ? Instant.now() : hookStart, Instant.now());
                    hookTimings.add(new HookTiming(phaseName, currentElement, f[1], d, rc));
                    event(BuildEvent.hookFinished(id, phaseName, currentElement, f[1], d, rc));
                    log("dib-run-parts " + f[1] + " completed" + (rc == 0 ? "" : " with exit status " + rc)
                            + String.format(" (%.3f s)", d.toMillis() / 1000.0));
                    if (rc != 0) {
                        failedHook = f[1];
                        failedElement = currentElement;
                    }
                    current = null;
                }
            }
        }

        synchronized void finish() {
            // nothing to flush: lines arrive synchronously through the sandbox pumps
        }

        synchronized BuildException failure(int status) {
            String hook = failedHook != null ? failedHook : current;
            String element = failedHook != null ? failedElement : currentElement;
            String where = hook == null ? "the " + dir + " phase (sourcing environment.d)"
                    : "hook " + dir + "/" + hook + " of element '" + element + "'";
            List<String> last = new ArrayList<>(tail);
            List<String> shown = last.subList(Math.max(0, last.size() - 5), last.size());
            return new BuildException(where + " failed with exit status " + status + " in phase " + phaseName
                    + (shown.isEmpty() ? "" : "; last output: " + String.join(" | ", shown)), 1, null);
        }
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void runBlockDevicePhase() throws BuildException, InterruptedException {
        runPhase("block-device", false);
    }

    private void bindHooks() throws BuildException, InterruptedException {
        Path t = mnt.resolve("tmp/in_target.d");
        run(Exec.of("mkdir", "-p", t.toString()).quiet());
        run(Exec.of("mount", "--bind", hooksDir.toString(), t.toString()).quiet());
        run(Exec.of("mount", "-o", "remount,ro,bind", t.toString()).quiet());
    }

    private void unbindHooks() throws BuildException, InterruptedException {
        Path t = mnt.resolve("tmp/in_target.d");
        if (cancelled) {
            return;
        }
        unmountUnder(t);
        try {
            Files.deleteIfExists(host(t));
        } catch (IOException e) {
            log("warning: cannot remove " + t + ": " + e.getMessage());
        }
    }

    private void breakPoint(String name, boolean inTarget) throws BuildException, InterruptedException {
        if (!plan.breaks().contains(name)) {
            return;
        }
        if (!request.terminal()) {
            throw new BuildException("stopped at break point '" + name + "'" + (phase == null ? "" : " (phase " + phase
                    + ")") + ": no terminal is attached for a debug shell; tree at " + mnt + " (released now)", 1,
                    null);
        }
        log("Starting debug shell. Exit to resume building.");
        log("At stage " + name);
        String shell = env.getOrDefault("break_cmd", "bash");
        Exec e = Exec.of("/bin/sh", "-c", inTarget
                ? "if [ -x /bin/bash ]; then exec /bin/bash -i; else exec /bin/sh -i; fi" : "exec " + shell + " -i")
                .environment(hookEnvironment(inTarget)).interactive();
        if (inTarget) {
            bindHooks();
            e.chroot(mnt);
        }
        try {
            sandbox.run(e);
        } catch (IOException ex) {
            throw new BuildException("cannot start the debug shell: " + ex.getMessage(), ex);
        } finally {
            if (inTarget) {
                unbindHooks();
            }
        }
        log("Resuming");
    }

    private void installPackages() throws BuildException, InterruptedException {
        if (request.packages().isEmpty()) {
            return;
        }
        phase = "install-packages";
        List<String> pkgs = new ArrayList<>();
        for (String p : request.packages()) {
            for (String s : p.split(",")) {
                if (!s.isBlank()) {
                    pkgs.add(s.strip());
                }
            }
        }
        log("Installing extra packages (-p): " + String.join(" ", pkgs));
        bindHooks();
        try {
            List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c",
                    "if ! command -v install-packages >/dev/null 2>&1; then echo 'install-packages is not in the image:"
                            + " the operating-system element provides it' >&2; exit 127; fi; exec install-packages \"$@\"",
                    "sh"));
            argv.addAll(pkgs);
            ExecResult r = sandbox.run(Exec.of(argv).chroot(mnt).environment(hookEnvironment(true)).label("-p"));
            if (!r.ok()) {
                throw new BuildException("installing the -p packages " + String.join(",", pkgs)
                        + " failed with exit status " + r.exitStatus() + ": " + String.join(" | ",
                                r.tail().subList(Math.max(0, r.tail().size() - 3), r.tail().size())));
            }
        } catch (IOException e) {
            throw new BuildException("cannot install the -p packages: " + e.getMessage(), e);
        } finally {
            unbindHooks();
        }
    }

    // ------------------------------------------------------------------ tree helpers

    private void swapResolvConf() throws BuildException {
        Path etc = host(mnt.resolve("etc"));
        if (!Files.isDirectory(etc, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path rc = etc.resolve("resolv.conf");
        try {
            if (Files.exists(rc, LinkOption.NOFOLLOW_LINKS)) {
                Files.move(rc, etc.resolve("resolv.conf.ORIG"), StandardCopyOption.REPLACE_EXISTING);
            }
            String content;
            try {
                content = Files.readString(Path.of("/etc/resolv.conf"));
            } catch (IOException e) {
                content = "nameserver 8.8.8.8\n";
            }
            Files.writeString(rc, content);
            Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-rw-rw-"));
            resolvSwapped = true;
        } catch (IOException e) {
            throw new BuildException("cannot set up resolv.conf in the image: " + e.getMessage(), e);
        }
    }

    private void restoreResolvConf() throws BuildException, InterruptedException {
        if (!resolvSwapped) {
            return;
        }
        Path etc = host(mnt.resolve("etc"));
        Path rc = etc.resolve("resolv.conf");
        Path orig = etc.resolve("resolv.conf.ORIG");
        try {
            boolean keep = Files.isSymbolicLink(rc) || immutable(mnt.resolve("etc/resolv.conf"));
            if (keep) {
                Files.deleteIfExists(orig);
            } else {
                Files.deleteIfExists(rc);
                if (Files.exists(orig, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(orig, rc);
                }
            }
        } catch (IOException e) {
            throw new BuildException("cannot restore resolv.conf in the image: " + e.getMessage(), e);
        }
    }

    private boolean immutable(Path nsFile) throws InterruptedException {
        try {
            ExecResult r = sandbox.run(Exec.of("lsattr", "-d", nsFile.toString()).capture().quiet());
            return r.ok() && r.stdout().split(" ")[0].contains("i");
        } catch (IOException e) {
            return false;
        }
    }

    private void removeLostAndFound() throws BuildException, InterruptedException {
        Path lf = mnt.resolve("lost+found");
        if (Files.exists(host(lf), LinkOption.NOFOLLOW_LINKS)) {
            run(Exec.of("rm", "-rf", "--one-file-system", lf.toString()).quiet());
        }
    }

    /** Upstream's finalise_base: resolv.conf back, /tmp emptied, logs truncated. */
    private void finaliseBase() throws BuildException, InterruptedException {
        phase = "finalise-base";
        restoreResolvConf();
        Path tmpDir = mnt.resolve("tmp");
        unmountUnder(tmpDir, false);
        if (Files.isDirectory(host(tmpDir), LinkOption.NOFOLLOW_LINKS)) {
            run(Exec.of("find", tmpDir.toString(), "-xdev", "-mindepth", "1", "-delete").quiet());
        }
        if (Files.isDirectory(host(mnt.resolve("var/log")), LinkOption.NOFOLLOW_LINKS)) {
            run(Exec.of("find", mnt.resolve("var/log").toString(), "-xdev", "-type", "f", "-exec", "truncate", "-s",
                    "0", "{}", "+").quiet());
        }
        run(Exec.of("sh", "-c", "rm -f \"$0\"/root/*.log", mnt.toString()).quiet());
    }

    private void mountProcDevSys(Path root) throws BuildException, InterruptedException {
        String r = root.toString();
        run(Exec.of("mkdir", "-p", r + "/proc", r + "/dev", r + "/sys").quiet());
        run(Exec.of("mount", "-t", "proc", "proc", r + "/proc").quiet());
        run(Exec.of("mount", "--bind", "/dev", r + "/dev").quiet());
        run(Exec.of("sh", "-c", "mkdir -p \"$0/dev/pts\" && mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5"
                + " devpts \"$0/dev/pts\" || mount --bind /dev/pts \"$0/dev/pts\"", r).quiet());
        run(Exec.of("mount", "-t", "sysfs", "-o", "ro", "sysfs", r + "/sys").quiet());
    }

    private void unmountUnder(Path dir) throws BuildException, InterruptedException {
        unmountUnder(dir, true);
    }

    /**
     * Unmounts every mount at or below {@code dir} in the build's namespace, deepest first.
     * A busy mount is retried after killing processes whose root is in the tree (daemons an
     * element started in the chroot), then detached lazily.
     */
    private void unmountUnder(Path dir, boolean includeSelf) throws BuildException, InterruptedException {
        List<String> points = mountPoints(dir, includeSelf);
        for (String p : points) {
            ExecResult r = runResult(Exec.of("umount", p).quiet());
            if (!r.ok()) {
                killChrootProcesses();
                r = runResult(Exec.of("umount", p).quiet());
                if (!r.ok()) {
                    log("warning: " + p + " is busy, detaching it lazily");
                    run(Exec.of("umount", "-l", p).quiet());
                }
            }
        }
    }

    private List<String> mountPoints(Path dir, boolean includeSelf) throws BuildException {
        String prefix = dir.toString();
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(sandbox.holderPid()), "mountinfo"))) {
                String mp = unescape(line.split(" ")[4]);
                if (((includeSelf && mp.equals(prefix)) || mp.startsWith(prefix + "/")) && !layoutMounts.contains(mp)) {
                    out.add(mp);
                }
            }
        } catch (IOException e) {
            throw new BuildException("cannot read the build's mounts: " + e.getMessage(), e);
        }
        // deepest first; for the same point (stacked mounts) the later one first
        Collections.reverse(out);
        out.sort((a, b) -> Integer.compare(b.length(), a.length()));
        return out;
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private void killChrootProcesses() {
        Path root = host(mnt);
        Path ns;
        try {
            ns = Files.readSymbolicLink(Path.of("/proc", Long.toString(sandbox.holderPid()), "ns/pid"));
        } catch (IOException e) {
            return;
        }
        try (var procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().matches("\\d+")).forEach(p -> {
                try {
                    if (Files.readSymbolicLink(p.resolve("ns/pid")).equals(ns)
                            && Files.isSameFile(p.resolve("root"), root)) {
                        long pid = Long.parseLong(p.getFileName().toString());
                        ProcessHandle.of(pid).ifPresent(h -> {
                            log("killing process " + pid + " (" + h.info().command().orElse("?")
                                    + ") still running in the chroot");
                            h.destroyForcibly();
                        });
                    }
                } catch (IOException | RuntimeException ignored) {
                    // gone already or not ours
                }
            });
        } catch (IOException ignored) {
            // nothing to kill
        }
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void move(Path from, Path to) throws BuildException, InterruptedException {
        run(Exec.of("mv", from.toString(), to.toString()).quiet());
    }

    // ------------------------------------------------------------------ outputs

    private void writeOutputs(OutputFormat.Source source, Path input) throws BuildException, InterruptedException {
        for (String type : plan.types()) {
            OutputFormat f = owner.format(type);
            if (f == null || f.source() != source) {
                continue;
            }
            checkCancelled();
            phase = "output " + type;
            Path target = Path.of(plan.imageName() + "." + f.extension());
            Path partial = target.resolveSibling("." + target.getFileName() + ".dib-partial-" + id);
            try {
                ledger.addPartial(partial);
            } catch (IOException e) {
                throw new BuildException("cannot record the partial output " + partial + ": " + e.getMessage(), e);
            }
            synchronized (outputs) {
                outputs.add(new Path[] { partial, target });
            }
            Instant t0 = Instant.now();
            log("Writing " + type + " output " + target);
            f.write(context, input, partial);
            if (!Files.exists(partial)) {
                throw new BuildException("output type " + type + " produced no file " + partial);
            }
            phaseTimings.put("output " + type, Duration.between(t0, Instant.now()));
        }
    }

    /** Renames every partial output into place (old outputs kept with a timestamp unless OVERWRITE_OLD_IMAGE). */
    private void publishOutputs() throws BuildException {
        boolean overwrite = !"0".equals(env.getOrDefault("OVERWRITE_OLD_IMAGE", "0").strip())
                && !env.getOrDefault("OVERWRITE_OLD_IMAGE", "0").isBlank();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy.MM.dd-HH.mm.ss"));
        List<String> sums = checksumKinds();
        synchronized (outputs) {
            for (Path[] o : outputs) {
                Path partial = o[0];
                Path target = o[1];
                try {
                    Map<String, String> digests = new LinkedHashMap<>();
                    for (String kind : sums) {
                        digests.put(kind, digest(partial, kind));
                    }
                    if (Files.exists(target) && !overwrite) {
                        String n = target.getFileName().toString();
                        int dot = n.lastIndexOf('.');
                        Path old = target.resolveSibling(n.substring(0, dot) + "-" + stamp + n.substring(dot));
                        Files.move(target, old);
                        for (String kind : List.of("md5", "sha256")) {
                            Path s = Path.of(target + "." + kind);
                            if (Files.exists(s)) {
                                Files.move(s, Path.of(old + "." + kind));
                            }
                        }
                        log("Existing " + target + " renamed to " + old.getFileName());
                    }
                    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    for (Map.Entry<String, String> d : digests.entrySet()) {
                        Path s = Path.of(target + "." + d.getKey());
                        Path st = s.resolveSibling("." + s.getFileName() + ".dib-partial-" + id);
                        Files.writeString(st, d.getValue() + "  " + target.getFileName() + "\n");
                        Files.move(st, s, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    }
                    log("Image file " + target + " created...");
                    event(BuildEvent.output(id, target.toString()));
                } catch (IOException e) {
                    throw new BuildException("cannot move " + partial + " to " + target + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private List<String> checksumKinds() {
        String c = env.getOrDefault("DIB_CHECKSUM", "0").strip();
        if (c.equals("0") || c.isEmpty()) {
            return List.of();
        }
        if (c.equals("1")) {
            return List.of("md5", "sha256");
        }
        List<String> out = new ArrayList<>();
        for (String k : List.of("md5", "sha256")) {
            if (c.contains(k)) {
                out.add(k);
            }
        }
        return out;
    }

    private static String digest(Path file, String kind) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance(kind.equals("md5") ? "MD5" : "SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 20];
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }

    // ------------------------------------------------------------------ cleanup

    /**
     * Releases everything. The namespace goes first (its processes, mounts and loop devices
     * with it), then the directories, then partial outputs of a failed build.
     */
    private void cleanup(boolean success) {
        phase = "cleanup-build";
        if (bridge != null) {
            bridge.close();
        }
        if (layout != null) {
            try {
                layout.close();
            } catch (RuntimeException e) {
                log("warning: releasing the block devices failed: " + e.getMessage());
            }
        }
        ClosableSandbox sb = sandbox;
        if (sb != null) {
            sb.close();
        }
        for (Path d : new Path[] { buildDir, imageDir }) {
            if (d != null) {
                deleteTree(d);
            }
        }
        if (!success) {
            synchronized (outputs) {
                for (Path[] o : outputs) {
                    try {
                        Files.deleteIfExists(o[0]);
                    } catch (IOException e) {
                        log("warning: cannot remove the partial output " + o[0] + ": " + e.getMessage());
                    }
                }
            }
        }
        ledger.delete();
        phase = null;
    }

    void deleteTree(Path d) {
        try {
            FileTrees.deleteRecursively(d);
        } catch (IOException e) {
            // immutable files, odd permissions: rm knows more tricks
            try {
                Process p = new ProcessBuilder("rm", "-rf", "--one-file-system", d.toString()).redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                if (p.waitFor() != 0 && Files.exists(d)) {
                    log("warning: cannot remove " + d + "; 'dib gc' will retry");
                }
            } catch (IOException | InterruptedException ex) {
                log("warning: cannot remove " + d + ": " + ex.getMessage());
            }
        }
    }

    private void writeTimingTable() {
        if (log == null) {
            return;
        }
        StringBuilder b = new StringBuilder();
        log("----------------------- PROFILING -----------------------");
        log(String.format("%-16s %-28s %-36s %9s", "PHASE", "ELEMENT", "HOOK", "SECONDS"));
        for (HookTiming t : hookTimings) {
            log(String.format("%-16s %-28s %-36s %9.3f%s", t.phase(), t.element(), t.hook(),
                    t.duration().toMillis() / 1000.0, t.exitCode() == 0 ? "" : "  (exit " + t.exitCode() + ")"));
        }
        log("---------------------------------------------------------");
        synchronized (phaseTimings) {
            for (Map.Entry<String, Duration> e : phaseTimings.entrySet()) {
                log(String.format("%-54s %9.3f", "phase " + e.getKey(), e.getValue().toMillis() / 1000.0));
            }
        }
        log(String.format("%-54s %9.3f", "total", elapsed().toMillis() / 1000.0));
        log("--------------------- END PROFILING ---------------------");
        b.setLength(0);
    }

    // ------------------------------------------------------------------ helpers

    Path host(Path nsPath) {
        return sandbox.host(nsPath);
    }

    private void run(Exec e) throws BuildException, InterruptedException {
        try {
            sandbox.check(e);
        } catch (SandboxException ex) {
            checkCancelled();
            throw new BuildException(ex.getMessage(), ex);
        }
    }

    private ExecResult runResult(Exec e) throws BuildException, InterruptedException {
        try {
            return sandbox.run(e);
        } catch (IOException ex) {
            checkCancelled();
            throw new BuildException(e.label() + ": " + ex.getMessage(), ex);
        }
    }

    Ledger ledger() {
        return ledger;
    }
}

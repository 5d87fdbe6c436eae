// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.build;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dib.core.build.Build;
import dib.core.build.BuildEvent;
import dib.core.build.BuildException;
import dib.core.build.BuildRequest;
import dib.core.build.BuildState;
import dib.core.build.ImageBuilder;
import dib.core.cache.DownloadCache;
import dib.core.element.Catalog;
import dib.core.element.ElementException;
import dib.core.element.ElementRepository;
import dib.core.element.ElementSet;
import dib.core.hook.HookCommand;
import dib.core.image.BlockDeviceLayer;
import dib.core.image.OutputFormat;
import dib.core.internal.DibDirs;
import dib.core.internal.cache.HttpDownloadCache;

/**
 * The {@link ImageBuilder} service: validates requests, runs each build on a thread of its
 * own, keeps the ledger that {@code dib gc} reads, and cancels running builds when the
 * framework or the JVM stops.
 */
@Component(service = ImageBuilder.class, immediate = true)
public final class ImageBuilderImpl implements ImageBuilder {
    private static final Logger LOG = Logger.getLogger(ImageBuilderImpl.class.getName());

    private final ElementRepository repository;
    private final Path stateDir;
    private final Map<String, BuildJob> builds = Collections.synchronizedMap(new LinkedHashMap<>());
    private final AtomicInteger counter = new AtomicInteger();
    private final Map<ServiceReference<?>, BlockDeviceLayer> layers = Collections
            .synchronizedMap(new java.util.TreeMap<>(Collections.reverseOrder()));
    private final Map<String, OutputFormat> formats = new ConcurrentHashMap<>();
    private final Map<String, HookCommand> commands = new ConcurrentHashMap<>();
    private final Thread shutdownHook = new Thread(this::cancelAll, "dib-builds-shutdown");

    /** What a validated request resolves to. */
    record Plan(List<String> requested, ElementSet elements, Path imageName, List<String> types, String arch,
            Path cacheDir, boolean offline, int debugTrace, boolean tmpfs, String tmpfsMessage, int minTmpfs,
            Path tmpDir, Set<String> breaks, String installType, String elementsPath, Path logFile,
            boolean useLayout, boolean noFinalImage) {
    }

    @Activate
    public ImageBuilderImpl(BundleContext context, @Reference ElementRepository repository) {
        this.repository = repository;
        this.stateDir = DibDirs.state(context).resolve("builds");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Constructor for use without a framework (tests). */
    public ImageBuilderImpl(ElementRepository repository, Path stateDir) {
        this.repository = repository;
        this.stateDir = stateDir;
    }

    @Deactivate
    void deactivate() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
        cancelAll();
    }

    private void cancelAll() {
        List<BuildJob> running;
        synchronized (builds) {
            running = new ArrayList<>(builds.values());
        }
        for (BuildJob b : running) {
            b.cancel();
        }
        for (BuildJob b : running) {
            try {
                b.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warning("build " + b.id() + " did not finish its cleanup in time");
            }
        }
    }

    // ------------------------------------------------------------------ plug-ins

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void addLayer(BlockDeviceLayer layer, ServiceReference<BlockDeviceLayer> ref) {
        layers.put(ref, layer);
    }

    public void removeLayer(BlockDeviceLayer layer, ServiceReference<BlockDeviceLayer> ref) {
        layers.remove(ref);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void addFormat(OutputFormat format, Map<String, Object> props) {
        Object t = props.get(OutputFormat.TYPE);
        if (t != null) {
            formats.put(t.toString(), format);
        }
    }

    public void removeFormat(OutputFormat format, Map<String, Object> props) {
        Object t = props.get(OutputFormat.TYPE);
        if (t != null) {
            formats.remove(t.toString(), format);
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void addCommand(HookCommand command, Map<String, Object> props) {
        Object n = props.get(HookCommand.NAME);
        if (n != null) {
            commands.put(n.toString(), command);
        }
    }

    public void removeCommand(HookCommand command, Map<String, Object> props) {
        Object n = props.get(HookCommand.NAME);
        if (n != null) {
            commands.remove(n.toString(), command);
        }
    }

    BlockDeviceLayer layer() {
        synchronized (layers) {
            return layers.isEmpty() ? null : layers.values().iterator().next();
        }
    }

    OutputFormat format(String type) {
        OutputFormat f = formats.get(type);
        if (f == null && layer() != null && QemuImgFormat.supports(type)) {
            return new QemuImgFormat(type);
        }
        return f;
    }

    HookCommand hookCommand(String name) {
        return commands.get(name);
    }

    List<String> hookCommandNames() {
        return new ArrayList<>(new java.util.TreeSet<>(commands.keySet()));
    }

    DownloadCache cache(Path dir, boolean offline, String buildId, Consumer<BuildEvent> events,
            Consumer<String> log) {
        return new HttpDownloadCache(dir, offline, buildId, events, log);
    }

    void logError(String message, Throwable t) {
        LOG.log(Level.SEVERE, message, t);
    }

    static String version() {
        Package p = ImageBuilderImpl.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "1.0.0" : v;
    }

    // ------------------------------------------------------------------ ImageBuilder

    @Override
    public Build start(BuildRequest request) throws BuildException {
        if (!isRoot()) {
            throw new BuildException("dib must run as root: builds mount file systems, use loop devices and chroot");
        }
        String id = Integer.toString(counter.incrementAndGet());
        Plan plan = plan(request, id);
        Ledger ledger = new Ledger(stateDir.resolve(ProcessHandle.current().pid() + "-" + id + ".properties"));
        ledger.set("jvm.pid", Long.toString(ProcessHandle.current().pid()))
                .set("jvm.start", Long.toString(Ledger.startTime(ProcessHandle.current().pid())))
                .set("build.id", id).set("image.name", plan.imageName().toString());
        try {
            ledger.save();
        } catch (IOException e) {
            throw new BuildException("cannot write the build ledger in " + stateDir + ": " + e.getMessage(), e);
        }
        BuildJob job = new BuildJob(this, id, request, plan, ledger);
        builds.put(id, job);
        // one thread per build: the namespace holder dies with the thread that started it
        Thread t = new Thread(job, "dib-build-" + id);
        t.start();
        return job;
    }

    private static boolean isRoot() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("Uid:")) {
                    return l.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** Applies upstream's rules to a request and checks everything that can be checked before building. */
    Plan plan(BuildRequest r, String id) throws BuildException {
        Map<String, String> env = r.environment();
        if (r.elements().isEmpty()) {
            throw new BuildException("at least one distribution root element must be specified");
        }
        List<String> types = new ArrayList<>();
        for (String t : r.types()) {
            for (String s : t.split(",")) {
                if (!s.isBlank() && !types.contains(s.strip())) {
                    types.add(s.strip());
                }
            }
        }
        if (types.isEmpty()) {
            types.add("qcow2");
        }
        String name = r.imageName() == null || r.imageName().isEmpty() ? "image" : r.imageName();
        if (types.size() == 1 && name.endsWith("." + types.get(0))) {
            name = name.substring(0, name.length() - types.get(0).length() - 1);
        }
        Path imageName = r.workingDirectory().resolve(name).toAbsolutePath().normalize();
        if (!Files.isDirectory(imageName.getParent())) {
            throw new BuildException("the output directory " + imageName.getParent() + " (-o " + name
                    + ") does not exist");
        }

        List<String> requested = new ArrayList<>();
        if (r.ramdisk()) {
            requested.add(r.ramdiskElement());
        }
        if (!r.skipBase()) {
            requested.add("base");
        }
        requested.addAll(r.elements());
        String arch = r.arch() != null && !r.arch().isEmpty() ? r.arch() : hostArch();
        if (requested.contains("vm") && requested.stream().noneMatch(e -> e.startsWith("block-device-"))) {
            requested.add(arch.equals("arm64") ? "block-device-efi" : "block-device-mbr");
        }
        String userPath = env.getOrDefault("ELEMENTS_PATH", "");
        Catalog catalog;
        ElementSet set;
        try {
            catalog = repository.catalog(ElementRepository.parsePath(userPath));
            set = catalog.expand(requested);
        } catch (ElementException e) {
            throw new BuildException(e.getMessage(), e);
        }
        boolean noFinalImage = set.get("no-final-image") != null;
        BlockDeviceLayer layer = layer();
        if (r.ramdisk()) {
            // upstream converts no final image in ramdisk mode: -t is not used
            types.clear();
        }
        for (String t : types) {
            OutputFormat f = format(t);
            if (f == null) {
                if (t.equals("docker") || t.equals("aci")) {
                    throw new BuildException("output type '" + t + "' (-t) is not supported by dib");
                }
                throw new BuildException("unknown output type '" + t + "' (-t): known types are "
                        + String.join(", ", new java.util.TreeSet<>(formats.keySet()))
                        + (layer == null ? " (install the dib.blockdevice bundle for disk images)" : ""));
            }
            if (f.source() == OutputFormat.Source.DISK && layer == null && !r.ramdisk() && !noFinalImage) {
                throw new BuildException("output type '" + t + "' needs a block-device layer (the dib.blockdevice"
                        + " bundle), and none is installed; use -t tar");
            }
        }

        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        Path cache = r.imageCache() != null ? r.workingDirectory().resolve(r.imageCache())
                : Path.of(env.getOrDefault("DIB_IMAGE_CACHE", home + "/.cache/image-create"));
        try {
            Files.createDirectories(cache);
        } catch (IOException e) {
            throw new BuildException("cannot create the image cache " + cache + " (--image-cache): " + e.getMessage(),
                    e);
        }
        boolean offline = r.offline() || !env.getOrDefault("DIB_OFFLINE", "").isEmpty();
        int trace = Math.max(r.debugTrace(), intValue(env.get("DIB_DEBUG_TRACE"), "DIB_DEBUG_TRACE", 0));

        boolean noTmpfs = r.noTmpfs() != null ? r.noTmpfs()
                : env.containsKey("DIB_NO_TMPFS") ? !env.get("DIB_NO_TMPFS").equals("0") : r.ramdisk();
        int minTmpfs = r.minTmpfs() != null ? r.minTmpfs()
                : intValue(env.get("DIB_MIN_TMPFS"), "DIB_MIN_TMPFS", r.ramdisk() ? 1 : 2);
        long memKb = memTotalKb();
        boolean tmpfs = !noTmpfs && memKb >= 2L * minTmpfs * 1024 * 1024;
        String tmpDirName = env.getOrDefault("TMP_DIR", "");
        Path tmpDir = Path.of(tmpDirName.isEmpty() ? "/tmp" : tmpDirName);
        String tmpfsMessage = noTmpfs ? "Not using tmpfs for the build (--no-tmpfs); building in " + tmpDir
                : "WARNING: Not enough RAM to use tmpfs for build. (" + memKb / 1024 / 1024 + "G < " + 2 * minTmpfs
                        + "G); using " + tmpDir;

        Set<String> breaks = new LinkedHashSet<>();
        for (String b : env.getOrDefault("break", "").split(",")) {
            if (!b.isBlank()) {
                breaks.add(b.strip());
            }
        }
        String installType = r.installType() != null ? r.installType()
                : env.getOrDefault("DIB_DEFAULT_INSTALLTYPE", "source");
        if (r.imageSize() != null) {
            try {
                if (new BigDecimal(r.imageSize()).signum() <= 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new BuildException("invalid --image-size '" + r.imageSize() + "': a size in GB is expected", 1,
                        null);
            }
        }
        if (r.imageExtraSize() != null) {
            intValue(r.imageExtraSize(), "--image-extra-size", 0);
        }
        List<String> path = new ArrayList<>();
        if (!userPath.isEmpty()) {
            path.add(userPath);
        }
        for (String o : catalog.origins()) {
            // bundle element directories, for elements that search ELEMENTS_PATH themselves
            set.elements().stream().filter(e -> e.origin().equals(o)).findFirst()
                    .ifPresent(e -> path.add(e.path().getParent().toString()));
        }
        Path logFile = Path.of(imageName + ".d", "build.log");
        return new Plan(requested, set, imageName, types, arch, cache, offline, trace, tmpfs, tmpfsMessage, minTmpfs,
                tmpDir, breaks, installType, String.join(":", new LinkedHashSet<>(path)), logFile,
                layer != null && !r.ramdisk(), noFinalImage);
    }

    private static int intValue(String v, String what, int def) throws BuildException {
        if (v == null || v.isBlank()) {
            return def;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new BuildException("invalid " + what + " '" + v + "': a whole number is expected");
        }
    }

    static String hostArch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            case "arm" -> "armhf";
            case "ppc64le" -> "ppc64el";
            default -> a;
        };
    }

    private static long memTotalKb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    @Override
    public List<Build> builds() {
        synchronized (builds) {
            return List.copyOf(builds.values());
        }
    }

    @Override
    public Optional<Build> build(String id) {
        return Optional.ofNullable(builds.get(id));
    }

    // ------------------------------------------------------------------ gc

    @Override
    public List<String> gc(boolean dryRun) {
        return new Gc(stateDir, dryRun, this::liveBuild).run();
    }

    private boolean liveBuild(String ledgerName) {
        String mine = ProcessHandle.current().pid() + "-";
        if (!ledgerName.startsWith(mine)) {
            return false;
        }
        BuildJob b = builds.get(ledgerName.substring(mine.length()).replace(".properties", ""));
        return b != null && !b.state().done();
    }


    static List<Path> list(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            // a name starting with a dot is a ledger being written (FileTrees.replace)
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir,
                    p -> !p.getFileName().toString().startsWith("."))) {
                ds.forEach(out::add);
            }
        }
        return out;
    }
}

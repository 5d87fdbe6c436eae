// SPDX-License-Identifier: Apache-2.0
package dib.core.build;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to build: the options of upstream's {@code disk-image-create} and
 * {@code ramdisk-image-create} as data. Immutable; create with {@link #builder()}.
 *
 * <p>Values are taken as given; the engine applies upstream's rules when the build starts
 * (the {@code .TYPE} suffix stripped from a single-type image name, {@code tgz} implying
 * {@code tar}, {@code base} prepended unless {@link #skipBase()}, the ramdisk element
 * prepended in ramdisk mode, defaults from the environment such as {@code FS_TYPE}).
 *
 * @since 1.0
 */
public final class BuildRequest {
    private final List<String> elements;
    private final boolean skipBase;
    private final String arch;
    private final String imageName;
    private final List<String> types;
    private final int debugTrace;
    private final boolean uncompressed;
    private final boolean clearEnvironment;
    private final List<String> packages;
    private final boolean checksum;
    private final String imageSize;
    private final String imageExtraSize;
    private final Path imageCache;
    private final String maxOnlineResize;
    private final Integer minTmpfs;
    private final Boolean noTmpfs;
    private final boolean offline;
    private final String mkfsOptions;
    private final String mkfsJournalSize;
    private final String qemuImgOptions;
    private final String rootLabel;
    private final String installType;
    private final String dockerTarget;
    private final Path logfile;
    private final String ramdiskElement;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final List<String> arguments;
    private final boolean terminal;

    private BuildRequest(Builder b) {
        this.elements = List.copyOf(b.elements);
        this.skipBase = b.skipBase;
        this.arch = b.arch;
        this.imageName = b.imageName;
        this.types = List.copyOf(b.types);
        this.debugTrace = b.debugTrace;
        this.uncompressed = b.uncompressed;
        this.clearEnvironment = b.clearEnvironment;
        this.packages = List.copyOf(b.packages);
        this.checksum = b.checksum;
        this.imageSize = b.imageSize;
        this.imageExtraSize = b.imageExtraSize;
        this.imageCache = b.imageCache;
        this.maxOnlineResize = b.maxOnlineResize;
        this.minTmpfs = b.minTmpfs;
        this.noTmpfs = b.noTmpfs;
        this.offline = b.offline;
        this.mkfsOptions = b.mkfsOptions;
        this.mkfsJournalSize = b.mkfsJournalSize;
        this.qemuImgOptions = b.qemuImgOptions;
        this.rootLabel = b.rootLabel;
        this.installType = b.installType;
        this.dockerTarget = b.dockerTarget;
        this.logfile = b.logfile;
        this.ramdiskElement = b.ramdiskElement;
        this.environment = Map.copyOf(b.environment);
        this.workingDirectory = Objects.requireNonNullElse(b.workingDirectory, Path.of("").toAbsolutePath());
        this.arguments = List.copyOf(b.arguments);
        this.terminal = b.terminal;
    }

    /** @return a new builder with upstream's defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this request's values */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.elements.addAll(elements);
        b.skipBase = skipBase;
        b.arch = arch;
        b.imageName = imageName;
        b.types.clear();
        b.types.addAll(types);
        b.debugTrace = debugTrace;
        b.uncompressed = uncompressed;
        b.clearEnvironment = clearEnvironment;
        b.packages.addAll(packages);
        b.checksum = checksum;
        b.imageSize = imageSize;
        b.imageExtraSize = imageExtraSize;
        b.imageCache = imageCache;
        b.maxOnlineResize = maxOnlineResize;
        b.minTmpfs = minTmpfs;
        b.noTmpfs = noTmpfs;
        b.offline = offline;
        b.mkfsOptions = mkfsOptions;
        b.mkfsJournalSize = mkfsJournalSize;
        b.qemuImgOptions = qemuImgOptions;
        b.rootLabel = rootLabel;
        b.installType = installType;
        b.dockerTarget = dockerTarget;
        b.logfile = logfile;
        b.ramdiskElement = ramdiskElement;
        b.environment.putAll(environment);
        b.workingDirectory = workingDirectory;
        b.arguments.addAll(arguments);
        b.terminal = terminal;
        return b;
    }

    /** @return the elements named by the user, in order */
    public List<String> elements() { return elements; }
    /** @return true for {@code -n}: do not add the {@code base} element */
    public boolean skipBase() { return skipBase; }
    /** @return {@code -a}, or null for the host's architecture */
    public String arch() { return arch; }
    /** @return {@code -o}, or null for {@code image} */
    public String imageName() { return imageName; }
    /** @return {@code -t}: the output types; default {@code qcow2} */
    public List<String> types() { return types; }
    /** @return how many {@code -x} were given ({@code DIB_DEBUG_TRACE}) */
    public int debugTrace() { return debugTrace; }
    /** @return {@code -u}: do not compress qcow2 */
    public boolean uncompressed() { return uncompressed; }
    /** @return {@code -c}: hooks get a clean environment (only what dib itself sets and DIB_* given explicitly) */
    public boolean clearEnvironment() { return clearEnvironment; }
    /** @return {@code -p}: extra packages installed after install.d */
    public List<String> packages() { return packages; }
    /** @return {@code --checksum}: write .md5 and .sha256 files */
    public boolean checksum() { return checksum; }
    /** @return {@code --image-size} in GB (decimals allowed), or null for automatic */
    public String imageSize() { return imageSize; }
    /** @return {@code --image-extra-size} in MB, or null */
    public String imageExtraSize() { return imageExtraSize; }
    /** @return {@code --image-cache}, or null for {@code ~/.cache/image-create} */
    public Path imageCache() { return imageCache; }
    /** @return {@code --max-online-resize} in file system blocks, or null */
    public String maxOnlineResize() { return maxOnlineResize; }
    /** @return {@code --min-tmpfs} in GB, or null for the default (2, ramdisk 1) */
    public Integer minTmpfs() { return minTmpfs; }
    /** @return {@code --no-tmpfs}, or null for the default (false, ramdisk true) */
    public Boolean noTmpfs() { return noTmpfs; }
    /** @return {@code --offline} */
    public boolean offline() { return offline; }
    /** @return {@code --mkfs-options}, or null */
    public String mkfsOptions() { return mkfsOptions; }
    /** @return {@code --mkfs-journal-size} in MB, or null for 64 */
    public String mkfsJournalSize() { return mkfsJournalSize; }
    /** @return {@code --qemu-img-options}, or null */
    public String qemuImgOptions() { return qemuImgOptions; }
    /** @return {@code --root-label}, or null for the default */
    public String rootLabel() { return rootLabel; }
    /** @return {@code --install-type}, or null for {@code source} */
    public String installType() { return installType; }
    /** @return {@code --docker-target}, or null */
    public String dockerTarget() { return dockerTarget; }
    /** @return {@code --logfile}, or null */
    public Path logfile() { return logfile; }
    /** @return the ramdisk element in ramdisk mode ({@code ramdisk-image-create}), else null */
    public String ramdiskElement() { return ramdiskElement; }
    /** @return true when this is a {@code ramdisk-image-create} build */
    public boolean ramdisk() { return ramdiskElement != null; }
    /** @return the caller's environment (ELEMENTS_PATH, DIB_*, TMP_DIR, break, ...) */
    public Map<String, String> environment() { return environment; }
    /** @return the directory relative output names are resolved against */
    public Path workingDirectory() { return workingDirectory; }
    /** @return the command line as given, for {@code /etc/dib_arguments} */
    public List<String> arguments() { return arguments; }
    /** @return true when a terminal is attached, so break points can open a shell */
    public boolean terminal() { return terminal; }

    /** Collects a request's values. Not thread-safe. */
    public static final class Builder {
        private final List<String> elements = new ArrayList<>();
        private boolean skipBase;
        private String arch;
        private String imageName;
        private final List<String> types = new ArrayList<>(List.of("qcow2"));
        private boolean typesSet;
        private int debugTrace;
        private boolean uncompressed;
        private boolean clearEnvironment;
        private final List<String> packages = new ArrayList<>();
        private boolean checksum;
        private String imageSize;
        private String imageExtraSize;
        private Path imageCache;
        private String maxOnlineResize;
        private Integer minTmpfs;
        private Boolean noTmpfs;
        private boolean offline;
        private String mkfsOptions;
        private String mkfsJournalSize;
        private String qemuImgOptions;
        private String rootLabel;
        private String installType;
        private String dockerTarget;
        private Path logfile;
        private String ramdiskElement;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path workingDirectory;
        private final List<String> arguments = new ArrayList<>();
        private boolean terminal;

        private Builder() {
        }

        public Builder elements(List<String> v) { elements.clear(); elements.addAll(v); return this; }
        public Builder element(String v) { elements.add(v); return this; }
        public Builder skipBase(boolean v) { skipBase = v; return this; }
        public Builder arch(String v) { arch = v; return this; }
        public Builder imageName(String v) { imageName = v; return this; }
        /** Replaces the default {@code qcow2} on first call, adds on later calls. */
        public Builder types(List<String> v) {
            if (!typesSet) {
                types.clear();
                typesSet = true;
            }
            types.addAll(v);
            return this;
        }
        public Builder debugTrace(int v) { debugTrace = v; return this; }
        public Builder uncompressed(boolean v) { uncompressed = v; return this; }
        public Builder clearEnvironment(boolean v) { clearEnvironment = v; return this; }
        public Builder packages(List<String> v) { packages.addAll(v); return this; }
        public Builder checksum(boolean v) { checksum = v; return this; }
        public Builder imageSize(String v) { imageSize = v; return this; }
        public Builder imageExtraSize(String v) { imageExtraSize = v; return this; }
        public Builder imageCache(Path v) { imageCache = v; return this; }
        public Builder maxOnlineResize(String v) { maxOnlineResize = v; return this; }
        public Builder minTmpfs(Integer v) { minTmpfs = v; return this; }
        public Builder noTmpfs(Boolean v) { noTmpfs = v; return this; }
        public Builder offline(boolean v) { offline = v; return this; }
        public Builder mkfsOptions(String v) { mkfsOptions = v; return this; }
        public Builder mkfsJournalSize(String v) { mkfsJournalSize = v; return this; }
        public Builder qemuImgOptions(String v) { qemuImgOptions = v; return this; }
        public Builder rootLabel(String v) { rootLabel = v; return this; }
        public Builder installType(String v) { installType = v; return this; }
        public Builder dockerTarget(String v) { dockerTarget = v; return this; }
        public Builder logfile(Path v) { logfile = v; return this; }
        public Builder ramdiskElement(String v) { ramdiskElement = v; return this; }
        public Builder environment(Map<String, String> v) { environment.clear(); environment.putAll(v); return this; }
        public Builder env(String key, String value) { environment.put(key, value); return this; }
        public Builder workingDirectory(Path v) { workingDirectory = v; return this; }
        public Builder arguments(List<String> v) { arguments.clear(); arguments.addAll(v); return this; }
        public Builder terminal(boolean v) { terminal = v; return this; }

        /** @return the request */
        public BuildRequest build() {
            return new BuildRequest(this);
        }
    }
}

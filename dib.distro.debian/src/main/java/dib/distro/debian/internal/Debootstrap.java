// SPDX-License-Identifier: Apache-2.0
package dib.distro.debian.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dib.core.archive.Archives;
import dib.core.build.BuildContext;
import dib.core.build.BuildException;
import dib.core.hook.HookCall;
import dib.core.sandbox.Exec;
import dib.core.sandbox.ExecResult;
import dib.core.sandbox.Sandbox;

/**
 * The base tree of a Debian-family image, as upstream's {@code debootstrap} element: a
 * minbase bootstrap of {@code DIB_RELEASE} from the mirror with debootstrap, or with
 * mmdebstrap when it is installed and nothing asks for debootstrap (a keyring, extra
 * arguments or a debootstrap script, or {@code DIB_DEBOOTSTRAP_TOOL=debootstrap}), and the
 * tarball cache {@code $DIB_IMAGE_CACHE/debootstrap-DISTRO-RELEASE-ARCH.tar.gz}: written
 * (atomically, under the file's lock) when {@code DIB_DEBOOTSTRAP_CACHE} is not 0, used
 * instead of bootstrapping with {@code DIB_DEBIAN_USE_DEBOOTSTRAP_CACHE} or offline. Offline
 * without the tarball is an error naming it. {@code DIB_DEBOOTSTRAP_INCLUDE} (packages the OS
 * element installs right after the bootstrap anyway) goes into the bootstrap, and so into the
 * cached tarball. Stateless; thread-safe.
 */
public final class Debootstrap {
    public static final String DEFAULT_RELEASE = "bookworm";

    /** What one call asks for, read from the calling hook's environment. */
    public record Settings(String distro, String release, String arch, String mirror, String components, String keyring,
            String include, List<String> extraArgs, String script, String tool, boolean offline, boolean useCache,
            boolean writeCache, Path tarball, Path target, Map<String, String> proxies) {
    }

    private Debootstrap() {
    }

    public static Settings settings(HookCall call) throws BuildException {
        Map<String, String> env = call.environment();
        BuildContext build = call.build();
        String targetVar = env.getOrDefault("TARGET_ROOT", "");
        if (targetVar.isEmpty()) {
            throw new BuildException("TARGET_ROOT is not set: call it from a root.d hook");
        }
        String distro = value(env, "DISTRO_NAME", "debian");
        String release = value(env, "DIB_RELEASE", DEFAULT_RELEASE);
        if (!release.matches("[a-z0-9][a-z0-9.~+-]*")) {
            throw new BuildException("DIB_RELEASE '" + release
                    + "' is not a release code name or suite (such as " + DEFAULT_RELEASE + ")");
        }
        if (!distro.matches("[a-z0-9][a-z0-9.+-]*")) {
            throw new BuildException("DISTRO_NAME '" + distro + "' is not a distribution name");
        }
        String arch = value(env, "ARCH", build.arch());
        if (!arch.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
            throw new BuildException("ARCH '" + arch + "' is not a Debian architecture (such as amd64)");
        }
        String mirror = distro.equals("debian") ? value(env, "DIB_DEBIAN_DISTRIBUTION_MIRROR", "") : "";
        if (mirror.isEmpty()) {
            mirror = value(env, "DIB_DISTRIBUTION_MIRROR", "");
        }
        if (mirror.isEmpty()) {
            mirror = HostMirror.find(Path.of("/etc/apt"));
        }
        mirror = mirror.strip().replaceAll("/+$", "");
        if (!mirror.matches("(?i)(https?|ftp|file)://\\S+")) {
            throw new BuildException("DIB_DISTRIBUTION_MIRROR '" + mirror
                    + "' is not an http, https, ftp or file URL");
        }
        String components = value(env, "DIB_DEBIAN_COMPONENTS", "main");
        if (!components.matches("[A-Za-z0-9_./-]+(,[A-Za-z0-9_./-]+)*")) {
            throw new BuildException("DIB_DEBIAN_COMPONENTS '" + components
                    + "' is not a comma-separated list of components");
        }
        String keyring = value(env, "DIB_APT_KEYRING", value(env, "DIB_DEBIAN_KEYRING", ""));
        if (!keyring.isEmpty() && !Files.isRegularFile(Path.of(keyring))) {
            throw new BuildException("the keyring DIB_APT_KEYRING=" + keyring + " does not exist");
        }
        String include = value(env, "DIB_DEBOOTSTRAP_INCLUDE", "").replaceAll("[\\s,]+", ",").replaceAll("^,|,$", "");
        if (!include.matches("[a-z0-9.+,-]*")) {
            throw new BuildException("DIB_DEBOOTSTRAP_INCLUDE '" + include + "' is not a list of package names");
        }
        List<String> extra = Words.split(value(env, "DIB_DEBOOTSTRAP_EXTRA_ARGS", ""));
        String script = value(env, "DIB_DEBIAN_DEBOOTSTRAP_SCRIPT", "");
        String tool = value(env, "DIB_DEBOOTSTRAP_TOOL", "");
        if (!tool.isEmpty() && !tool.equals("debootstrap") && !tool.equals("mmdebstrap")) {
            throw new BuildException("DIB_DEBOOTSTRAP_TOOL '" + tool + "' is neither debootstrap nor mmdebstrap");
        }
        boolean offline = build.offline() || !value(env, "DIB_OFFLINE", "").isEmpty();
        boolean useCache = offline || flag(value(env, "DIB_DEBIAN_USE_DEBOOTSTRAP_CACHE", ""));
        boolean writeCache = flag(value(env, "DIB_DEBOOTSTRAP_CACHE", "0"));
        Path tarball = build.cache().directory().resolve("debootstrap-" + distro + "-" + release + "-" + arch + ".tar.gz");
        Map<String, String> proxies = new LinkedHashMap<>();
        for (String p : List.of("http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")) {
            if (!value(env, p, "").isEmpty()) {
                proxies.put(p, env.get(p));
            }
        }
        return new Settings(distro, release, arch, mirror, components, keyring, include, extra, script, tool, offline,
                useCache, writeCache, tarball, Path.of(targetVar), proxies);
    }

    private static String value(Map<String, String> env, String key, String fallback) {
        String v = env.get(key);
        return v == null || v.isEmpty() ? fallback : v;
    }

    /** Set and not 0 (upstream tests these with -n; "0" reads as off here). */
    private static boolean flag(String v) {
        return !v.isEmpty() && !v.equals("0");
    }

    /** Creates the base tree in TARGET_ROOT. */
    public static void createRoot(HookCall call) throws BuildException {
        Settings s = settings(call);
        BuildContext build = call.build();
        Consumer<String> log = call.out()::println;
        if (s.useCache() && Files.isRegularFile(s.tarball())) {
            build.cache().locked(s.tarball(), () -> {
                log.accept("debootstrap: " + s.tarball() + " found in the cache, extracting it"
                        + (s.offline() ? " (offline)" : ""));
                Archives.extractTar(build, s.tarball(), s.target(), log);
                return null;
            });
            return;
        }
        if (s.offline()) {
            throw new BuildException("offline mode (DIB_OFFLINE) and no cached debootstrap tree "
                    + s.tarball() + " (build once online with DIB_DEBOOTSTRAP_CACHE=1)");
        }
        bootstrap(call, s, log);
        if (s.writeCache()) {
            build.cache().locked(s.tarball(), () -> {
                writeTarball(build, s, log);
                return null;
            });
        }
    }

    /** debootstrap or mmdebstrap into the target, then the generated sources go (debian-minimal writes its own). */
    static void bootstrap(HookCall call, Settings s, Consumer<String> log) throws BuildException {
        Sandbox sb = call.build().sandbox();
        String tool = s.tool();
        boolean custom = !s.keyring().isEmpty() || !s.extraArgs().isEmpty() || !s.script().isEmpty();
        if (tool.isEmpty()) {
            tool = !custom && installed(sb, "mmdebstrap") ? "mmdebstrap" : "debootstrap";
        }
        if (!installed(sb, tool)) {
            throw new BuildException(tool + " is not installed on the build host"
                    + " (apt-get install " + tool + ")");
        }
        boolean mm = tool.equals("mmdebstrap");
        List<String> argv = new ArrayList<>(mm
                ? List.of("mmdebstrap", "--mode=root", "--format=directory", "--architectures=" + s.arch())
                : List.of("debootstrap", "--verbose", "--arch=" + s.arch()));
        argv.addAll(List.of("--variant=minbase", "--components=" + s.components()));
        if (!s.keyring().isEmpty()) {
            argv.add("--keyring=" + s.keyring());
        }
        if (!s.include().isEmpty()) {
            argv.add("--include=" + s.include());
        }
        argv.addAll(s.extraArgs());
        argv.addAll(List.of(s.release(), s.target().toString(), s.mirror()));
        if (!mm && !s.script().isEmpty()) {
            argv.add(s.script());
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("LC_ALL", "C");
        env.put("HOME", "/root");
        env.put("DEBIAN_FRONTEND", "noninteractive");
        env.putAll(s.proxies());
        log.accept("debootstrap: " + String.join(" ", argv));
        ExecResult r;
        try {
            r = sb.run(Exec.of(argv).environment(env).label(tool).lines(log, call.err()::println));
        } catch (IOException e) {
            throw new BuildException("cannot run " + tool + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("interrupted", e);
        }
        if (!r.ok()) {
            throw new BuildException(tool + " of " + s.distro() + " " + s.release() + " (" + s.arch() + ") from "
                    + s.mirror() + " failed with exit status " + r.exitStatus() + ": " + reason(r.tail()));
        }
        run(sb, "rm", "-rf", s.target() + "/etc/apt/sources.list", s.target() + "/etc/apt/sources.list.d");
        run(sb, "mkdir", "-p", s.target() + "/etc/apt/sources.list.d");
        // both tools copy the build host's resolv.conf and hostname in: they must not reach
        // the cached tarball or the image (the OS element lends resolv.conf while it needs it)
        run(sb, "sh", "-c", "rm -f \"$0/etc/resolv.conf\" && : > \"$0/etc/resolv.conf\""
                + " && echo \"$1\" > \"$0/etc/hostname\" && chmod 0644 \"$0/etc/resolv.conf\" \"$0/etc/hostname\"",
                s.target().toString(), s.distro());
    }

    /** The tool's own error line (debootstrap's "E: ...", mmdebstrap's "E: ..."), else its last line. */
    public static String reason(List<String> tail) {
        for (int i = tail.size() - 1; i >= 0; i--) {
            String l = tail.get(i).strip();
            if (l.startsWith("E: ") || l.startsWith("Err:") || l.startsWith("W: Failure")) {
                return l;
            }
        }
        for (int i = tail.size() - 1; i >= 0; i--) {
            if (!tail.get(i).isBlank()) {
                return tail.get(i).strip();
            }
        }
        return "no output";
    }

    private static boolean installed(Sandbox sb, String tool) throws BuildException {
        try {
            return sb.run(Exec.of("sh", "-c", "command -v \"$0\"", tool).quiet().capture()).ok();
        } catch (IOException e) {
            throw new BuildException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("interrupted", e);
        }
    }

    private static void run(Sandbox sb, String... argv) throws BuildException {
        try {
            sb.check(Exec.of(argv).quiet());
        } catch (dib.core.sandbox.SandboxException e) {
            throw new BuildException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("interrupted", e);
        }
    }

    /**
     * Writes the tree (without /tmp's content) as the cache tarball: to a temporary file next
     * to it, renamed into place only when complete. The caller holds the tarball's lock.
     */
    static void writeTarball(BuildContext build, Settings s, Consumer<String> log) throws BuildException {
        Path tarball = s.tarball();
        Path tmp = tarball.resolveSibling("." + tarball.getFileName() + ".dib-tmp-" + build.id());
        log.accept("debootstrap: caching the tree in " + tarball);
        try {
            Files.createDirectories(tarball.getParent());
            ExecResult r = build.sandbox().run(Exec.of("bash", "-c",
                    "set -o pipefail; gz=gzip; command -v pigz >/dev/null && gz=pigz;"
                            + " tar --numeric-owner --xattrs --xattrs-include='*' --one-file-system -C \"$0\""
                            + " --exclude=./tmp/* -cf - . | $gz -1 > \"$1\"",
                    s.target().toString(), tmp.toString()).quiet().label("tar"));
            if (!r.ok()) {
                throw new BuildException("cannot write the cache tarball " + tarball + ": "
                        + reason(r.tail()));
            }
            Files.move(tmp, tarball, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new BuildException("cannot write the cache tarball " + tarball + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("interrupted while caching " + tarball, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                log.accept("warning: cannot remove " + tmp + ": " + e.getMessage());
            }
        }
    }
}

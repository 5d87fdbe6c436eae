// SPDX-License-Identifier: Apache-2.0
package dib.distro.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dib.core.build.BuildContext;
import dib.core.build.BuildEvent;
import dib.core.build.BuildException;
import dib.core.build.BuildRequest;
import dib.core.cache.DownloadCache;
import dib.core.element.ElementSet;
import dib.core.hook.HookCall;
import dib.core.internal.cache.HttpDownloadCache;
import dib.core.sandbox.ClosableSandbox;
import dib.core.sandbox.Sandbox;
import dib.core.sandbox.Sandboxes;

/**
 * A build as a distribution service sees it, without the engine: a real sandbox (private
 * mount and PID namespaces), the real download cache on a test directory, the hook
 * environment of a root.d hook. Open and close it on the test's thread.
 */
public final class TestBuild implements BuildContext, AutoCloseable {
    public final Path dir;
    public final Path cacheDir;
    public final Path target;
    public final List<String> log = Collections.synchronizedList(new ArrayList<>());
    public final List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> env = Collections.synchronizedMap(new LinkedHashMap<>());
    private final ClosableSandbox sandbox;
    private final HttpDownloadCache cache;
    private final boolean offline;
    private volatile boolean cancelled;

    /**
     * @param dir      the build directory (the tree goes to {@code dir/mnt})
     * @param cacheDir the image cache
     * @param offline  offline mode
     */
    public TestBuild(Path dir, Path cacheDir, boolean offline) throws IOException {
        this.dir = dir;
        this.cacheDir = cacheDir;
        this.target = dir.resolve("mnt");
        this.offline = offline;
        Files.createDirectories(target);
        Files.createDirectories(cacheDir);
        this.sandbox = Sandboxes.open(log::add);
        this.cache = new HttpDownloadCache(cacheDir, offline, "test", events::add, log::add);
        env.put("ARCH", "amd64");
        env.put("TARGET_ROOT", target.toString());
        env.put("TMP_MOUNT_PATH", target.toString());
        env.put("DIB_IMAGE_CACHE", cacheDir.toString());
        env.put("DIB_OFFLINE", offline ? "1" : "");
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    }

    /** Sets a variable of the calling hook's environment (null removes it). */
    public TestBuild set(String key, String value) {
        if (value == null) {
            env.remove(key);
        } else {
            env.put(key, value);
        }
        return this;
    }

    public void cancel() {
        cancelled = true;
    }

    /** A hook call with the current environment; its output is kept in {@link Call#output()}. */
    public Call call(String... args) {
        return new Call(List.of(args), Map.copyOf(env));
    }

    /** A {@link HookCall} from a root.d hook (outside the chroot). */
    public final class Call implements HookCall {
        private final List<String> args;
        private final Map<String, String> environment;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);

        Call(List<String> args, Map<String, String> environment) {
            this.args = args;
            this.environment = environment;
        }

        @Override public BuildContext build() { return TestBuild.this; }
        @Override public List<String> arguments() { return args; }
        @Override public Map<String, String> environment() { return environment; }
        @Override public Path workingDirectory() { return dir; }
        @Override public Path resolve(String callerPath) { return dir.resolve(callerPath); }
        @Override public PrintStream out() { return out; }
        @Override public PrintStream err() { return out; }

        /** @return what the command printed (stdout and stderr) */
        public String output() {
            return buf.toString(StandardCharsets.UTF_8);
        }
    }

    @Override public String id() { return "test"; }
    @Override public BuildRequest request() { return BuildRequest.builder().build(); }
    @Override public ElementSet elements() { return null; }
    @Override public String arch() { return env.getOrDefault("ARCH", "amd64"); }
    @Override public Path imageName() { return dir.resolve("image"); }
    @Override public Map<String, String> environment() { return Map.copyOf(env); }
    @Override public void putEnvironment(String key, String value) { set(key, value); }
    @Override public Path buildDir() { return dir; }
    @Override public Path imageDir() { return dir; }
    @Override public Path hooksDir() { return dir.resolve("hooks"); }
    @Override public Path mountBase() { return target; }
    @Override public Sandbox sandbox() { return sandbox; }
    @Override public DownloadCache cache() { return cache; }
    @Override public boolean offline() { return offline; }
    @Override public void log(String line) { log.add(line); }
    @Override public void event(BuildEvent event) { events.add(event); }

    @Override
    public void checkCancelled() throws BuildException {
        if (cancelled) {
            throw new BuildException("cancelled");
        }
    }

    @Override
    public void close() {
        sandbox.close();
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dib.core.build.BuildContext;
import dib.core.build.BuildEvent;
import dib.core.build.BuildRequest;
import dib.core.cache.DownloadCache;
import dib.core.element.Element;
import dib.core.element.ElementSet;
import dib.core.hook.HookCall;
import dib.core.sandbox.Sandbox;

/**
 * A build as the ramdisk builder sees it, without the engine: a real sandbox, a tree, the
 * hooks of the given elements merged as the engine merges them, and the environment a
 * post-root hook gets. Paths live in the sandbox's namespace (which sees the host's files).
 */
final class TestBuild implements BuildContext {
    final Sandbox sandbox;
    final Path dir;
    final Path tree;
    final Path hooks;
    final ElementSet elements;
    final Map<String, String> env = Collections.synchronizedMap(new LinkedHashMap<>());
    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    /**
     * @param sandbox  where commands run
     * @param dir      the build directory (TMP_BUILD_DIR)
     * @param tree     the image tree (TARGET_ROOT)
     * @param elements element directories whose hooks are merged
     */
    TestBuild(Sandbox sandbox, Path dir, Path tree, List<Path> elements) throws IOException {
        this.sandbox = sandbox;
        this.dir = dir;
        this.tree = tree;
        this.hooks = dir.resolve("hooks");
        List<Element> list = new ArrayList<>();
        for (Path e : elements) {
            list.add(new Element(e.getFileName().toString(), e, "test"));
            for (String d : List.of("binary-deps.d", "init.d", "udev.d", "ramdisk-install.d")) {
                Path src = e.resolve(d);
                if (Files.isDirectory(src)) {
                    Path dst = hooks.resolve(d);
                    Files.createDirectories(dst);
                    try (Stream<Path> s = Files.list(src)) {
                        for (Path f : (Iterable<Path>) s::iterator) {
                            Files.copy(f, dst.resolve(f.getFileName().toString()), StandardCopyOption.COPY_ATTRIBUTES,
                                    LinkOption.NOFOLLOW_LINKS);
                        }
                    }
                }
            }
        }
        Files.createDirectories(hooks);
        this.elements = new ElementSet(list.stream().map(Element::name).toList(), list, Map.of());
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("ARCH", "amd64");
        env.put("TARGET_ROOT", tree.toString());
        env.put("TMP_MOUNT_PATH", tree.toString());
        env.put("TMP_BUILD_DIR", dir.toString());
        env.put("TMP_HOOKS_PATH", hooks.toString());
        env.put("IMAGE_NAME", dir.resolve("image").toString());
    }

    /** What a finished call printed and returned. */
    record Outcome(int status, String out, String err) {
    }

    /** Calls {@code ramdisk-build ARGS} as a post-root hook would. */
    Outcome call(dib.core.hook.HookCommand command, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        TestBuild self = this;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            Map<String, String> callerEnv = Map.copyOf(env);
            int rc = command.run(new HookCall() {
                @Override
                public BuildContext build() {
                    return self;
                }

                @Override
                public List<String> arguments() {
                    return List.of(args);
                }

                @Override
                public Map<String, String> environment() {
                    return callerEnv;
                }

                @Override
                public Path workingDirectory() {
                    return dir;
                }

                @Override
                public Path resolve(String callerPath) {
                    return dir.resolve(callerPath);
                }

                @Override
                public PrintStream out() {
                    return o;
                }

                @Override
                public PrintStream err() {
                    return e;
                }
            });
            return new Outcome(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    @Override
    public String id() {
        return "test";
    }

    @Override
    public BuildRequest request() {
        return BuildRequest.builder().ramdiskElement("ramdisk").build();
    }

    @Override
    public ElementSet elements() {
        return elements;
    }

    @Override
    public String arch() {
        return "amd64";
    }

    @Override
    public Path imageName() {
        return dir.resolve("image");
    }

    @Override
    public Map<String, String> environment() {
        return Map.copyOf(env);
    }

    @Override
    public void putEnvironment(String key, String value) {
        env.put(key, value);
    }

    @Override
    public Path buildDir() {
        return dir;
    }

    @Override
    public Path imageDir() {
        return dir;
    }

    @Override
    public Path hooksDir() {
        return hooks;
    }

    @Override
    public Path mountBase() {
        return tree;
    }

    @Override
    public Sandbox sandbox() {
        return sandbox;
    }

    @Override
    public DownloadCache cache() {
        return null;
    }

    @Override
    public boolean offline() {
        return false;
    }

    @Override
    public void log(String line) {
        log.add(line);
    }

    @Override
    public void event(BuildEvent event) {
    }

    @Override
    public void checkCancelled() {
    }
}

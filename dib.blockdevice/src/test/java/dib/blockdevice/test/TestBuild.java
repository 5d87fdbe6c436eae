// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dib.core.build.BuildContext;
import dib.core.build.BuildEvent;
import dib.core.build.BuildRequest;
import dib.core.cache.DownloadCache;
import dib.core.element.Element;
import dib.core.element.ElementSet;
import dib.core.sandbox.Sandbox;

/**
 * A small real {@link BuildContext} for driving the block-device layer without the engine:
 * directories under a temporary folder, a real sandbox, elements given by directory.
 */
public final class TestBuild implements BuildContext {
    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final BuildRequest request;
    private final ElementSet elements;
    private final Path dir;
    private final Sandbox sandbox;
    private final Map<String, String> env = new ConcurrentHashMap<>();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    /**
     * @param dir      the build's folder (build/, image/, out/ are made below it)
     * @param sandbox  the sandbox
     * @param request  the request
     * @param elements element directories, in expansion order
     */
    public TestBuild(Path dir, Sandbox sandbox, BuildRequest request, List<Path> elements) throws IOException {
        this.dir = dir;
        this.sandbox = sandbox;
        this.request = request;
        List<Element> es = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path p : elements) {
            es.add(new Element(p.getFileName().toString(), p, "test"));
            names.add(p.getFileName().toString());
        }
        this.elements = new ElementSet(names, es, Map.of());
        env.putAll(request.environment());
        Files.createDirectories(buildDir());
        Files.createDirectories(imageDir());
        Files.createDirectories(hooksDir());
    }

    /** @return every line logged so far */
    public List<String> logLines() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

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
        return elements;
    }

    @Override
    public String arch() {
        return request.arch() != null ? request.arch() : "amd64";
    }

    @Override
    public Path imageName() {
        return dir.resolve("out").resolve(request.imageName() != null ? request.imageName() : "image");
    }

    @Override
    public Map<String, String> environment() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(env));
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
        return dir.resolve("build");
    }

    @Override
    public Path imageDir() {
        return dir.resolve("image");
    }

    @Override
    public Path hooksDir() {
        return buildDir().resolve("hooks");
    }

    @Override
    public Path mountBase() {
        return buildDir().resolve("mnt");
    }

    @Override
    public Sandbox sandbox() {
        return sandbox;
    }

    @Override
    public DownloadCache cache() {
        throw new UnsupportedOperationException("no download cache in block-device tests");
    }

    @Override
    public boolean offline() {
        return true;
    }

    @Override
    public void log(String line) {
        log.add(line);
        if (Boolean.getBoolean("dib.test.verbose")) {
            System.out.println("[" + id + "] " + line);
        }
    }

    @Override
    public void event(BuildEvent event) {
    }

    @Override
    public void checkCancelled() {
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.shell.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.shell.internal.BundleFiles;
import dib.shell.internal.CommandFailure;

/** The checks install makes before the framework sees a bundle, and where bundles come from. */
class BundleFilesTest {
    @TempDir
    Path tmp;
    private final String savedRepo = System.getProperty("maven.repo.local");

    @AfterEach
    void restore() {
        if (savedRepo == null) {
            System.clearProperty("maven.repo.local");
        } else {
            System.setProperty("maven.repo.local", savedRepo);
        }
    }

    private Path jar(String name, Map<String, String> manifest, Map<String, String> files) throws Exception {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.forEach((k, v) -> mf.getMainAttributes().putValue(k, v));
        Path f = tmp.resolve(name);
        try (OutputStream o = Files.newOutputStream(f); JarOutputStream j = new JarOutputStream(o, mf)) {
            for (Map.Entry<String, String> e : files.entrySet()) {
                j.putNextEntry(new JarEntry(e.getKey()));
                j.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                j.closeEntry();
            }
        }
        return f;
    }

    private static Map<String, String> bundle(String bsn) {
        return Map.of("Bundle-SymbolicName", bsn + ";singleton:=true", "Bundle-Version", "2.1.0",
                "DIB-Elements", "elements/");
    }

    private String failure(String location) {
        return assertThrows(CommandFailure.class, () -> BundleFiles.resolve(location, tmp, tmp)).getMessage();
    }

    @Test
    void readsNameVersionElementsAndTheirDependencies() throws Exception {
        Path f = jar("v.jar", bundle("com.example.v"), Map.of("elements/a/element-deps", "b\n\nbase\n",
                "elements/a/install.d/50-a", "#!/bin/sh\n", "elements/b/README.rst", "b\n",
                "elements/.hidden/x", "x", "elements/README", "not an element"));
        BundleFiles.Candidate c = BundleFiles.resolve("v.jar", tmp, tmp);
        assertEquals("com.example.v", c.symbolicName());
        assertEquals("2.1.0", c.version());
        assertEquals(Map.of("a", List.of("b", "base"), "b", List.of()), c.elements());
        assertEquals(f, c.file());
        assertEquals(f, BundleFiles.resolve(f.toUri().toString(), Path.of("/"), tmp).file(), "a file: URL");
    }

    @Test
    void refusesWhatIsNotAWorkingElementBundle() throws Exception {
        Files.writeString(tmp.resolve("text.jar"), "hello");
        assertEquals("install: text.jar is not a bundle (not a jar file)", failure("text.jar"));
        jar("plain.jar", Map.of("Main-Class", "x.Y"), Map.of("x/Y.class", ""));
        assertEquals("install: plain.jar is not an OSGi bundle (its manifest has no Bundle-SymbolicName)",
                failure("plain.jar"));
        jar("nofolder.jar", bundle("x.a"), Map.of("other/a/README.rst", ""));
        assertEquals("install: bundle x.a (nofolder.jar) names DIB-Elements folder 'elements', which it does not"
                + " contain", failure("nofolder.jar"));
        jar("empty.jar", bundle("x.b"), Map.of("elements/README", "files only"));
        assertEquals("install: bundle x.b (empty.jar): its DIB-Elements folder 'elements' holds no element"
                + " directories", failure("empty.jar"));
        jar("escape.jar", Map.of("Bundle-SymbolicName", "x.c", "DIB-Elements", "../etc"), Map.of("a", ""));
        assertTrue(failure("escape.jar").startsWith("install: bundle x.c (escape.jar) has an invalid DIB-Elements"));
        assertEquals("install: missing.jar: no such file", failure("missing.jar"));
        Files.createDirectories(tmp.resolve("dir.jar"));
        assertEquals("install: dir.jar is a directory, not a bundle jar", failure("dir.jar"));
    }

    @Test
    void mavenCoordinatesResolveInTheLocalRepository() throws Exception {
        Path repo = tmp.resolve("repo");
        Path dir = Files.createDirectories(repo.resolve("com/example/tools/1.2.0"));
        Path f = jar("t.jar", bundle("com.example.tools"), Map.of("elements/t/README.rst", ""));
        Files.copy(f, dir.resolve("tools-1.2.0.jar"));
        System.setProperty("maven.repo.local", repo.toString());
        assertEquals(dir.resolve("tools-1.2.0.jar"), BundleFiles.resolve("com.example:tools:1.2.0", tmp, tmp).file());
        assertEquals(dir.resolve("tools-1.2.0.jar"),
                BundleFiles.resolve("com.example:tools:jar:1.2.0", tmp, tmp).file());
        assertEquals(dir.resolve("tools-1.2.0.jar"), BundleFiles.resolve("mvn:com.example/tools/1.2.0", tmp, tmp)
                .file());
        assertTrue(failure("com.example:tools:9.9").startsWith("install: com.example:tools:9.9 is not in the local"
                + " Maven repository (no " + repo.resolve("com/example/tools/9.9/tools-9.9.jar")), failure(
                        "com.example:tools:9.9"));
    }

    @Test
    void urlsAreDownloadedToATemporaryFile() throws Exception {
        Path f = jar("u.jar", bundle("com.example.u"), Map.of("elements/u/README.rst", ""));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", x -> {
            byte[] body = x.getRequestURI().getPath().equals("/u.jar") ? Files.readAllBytes(f) : null;
            x.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                x.getResponseBody().write(body);
            }
            x.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            Path dl = Files.createDirectories(tmp.resolve("downloads"));
            BundleFiles.Candidate c = BundleFiles.resolve(base + "/u.jar", tmp, dl);
            assertEquals("com.example.u", c.symbolicName());
            assertTrue(c.temporary() && c.file().startsWith(dl), c.toString());
            assertEquals("install: cannot fetch " + base + "/none.jar: HTTP 404 Not Found", failure(base + "/none.jar"));
            try (var s = Files.list(dl)) {
                assertEquals(1, s.count(), "the failed download left nothing");
            }
        } finally {
            server.stop(0);
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.test.cache;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.build.BuildContext;
import dib.core.hook.HookCall;
import dib.core.internal.cache.CacheUrlCommand;
import dib.core.internal.cache.HttpDownloadCache;

/** {@code cache-url [-f] URL DEST} as hooks see it: messages, exit statuses, relative paths. */
class CacheUrlCommandTest {
    @TempDir
    Path cacheDir;
    TestServer server;
    ByteArrayOutputStream out;
    ByteArrayOutputStream err;

    @BeforeEach
    void start() throws Exception {
        server = new TestServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    int run(String... args) {
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        HttpDownloadCache cache = new HttpDownloadCache(cacheDir, false, "b", e -> { }, l -> { });
        // only cache() is needed: destinations below the cache directory do not use the sandbox
        BuildContext build = (BuildContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BuildContext.class}, (p, m, a) -> {
                    if (m.getName().equals("cache")) {
                        return cache;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
        PrintStream o = new PrintStream(out, true, UTF_8);
        PrintStream e = new PrintStream(err, true, UTF_8);
        HookCall call = new HookCall() {
            @Override public BuildContext build() { return build; }
            @Override public List<String> arguments() { return List.of(args); }
            @Override public Map<String, String> environment() { return Map.of(); }
            @Override public Path workingDirectory() { return cacheDir; }
            @Override public Path resolve(String p) { return cacheDir.resolve(p); }
            @Override public PrintStream out() { return o; }
            @Override public PrintStream err() { return e; }
        };
        return new CacheUrlCommand().run(call);
    }

    @Test
    void downloadsThenSaysTheCopyIsCurrent() throws Exception {
        server.put("/f", "data".getBytes(UTF_8), Instant.parse("2024-01-01T00:00:00Z"));
        String url = server.url("/f").toString();
        assertEquals(0, run(url, "sub/f"));
        assertEquals("Downloaded and cached " + url + " for the first time\n", out.toString(UTF_8));
        assertEquals("data", Files.readString(cacheDir.resolve("sub/f")));
        assertEquals(0, run(url, "sub/f"));
        assertEquals("Server copy has not changed. Using locally cached " + url + "\n", out.toString(UTF_8));
        assertEquals(0, run("-f", url, cacheDir.resolve("sub/f").toString()));
        assertEquals("Downloaded and cached " + url + ", having forced upstream caches to revalidate\n",
                out.toString(UTF_8));
        assertEquals("", err.toString(UTF_8));
    }

    @Test
    void notFoundExits44() {
        String url = server.url("/missing").toString();
        assertEquals(44, run(url, "missing"));
        assertEquals("Server returned an unexpected response code. [404]\n", out.toString(UTF_8));
        assertEquals("cache-url: cannot download " + url + ": HTTP 404 Not Found\n", err.toString(UTF_8));
        assertFalse(Files.exists(cacheDir.resolve("missing")));
    }

    @Test
    void otherFailuresExit1() {
        server.put("/f", "x".getBytes(UTF_8), Instant.parse("2024-01-01T00:00:00Z")).statuses.add(403);
        assertEquals(1, run(server.url("/f").toString(), "f"));
        assertTrue(err.toString(UTF_8).contains("HTTP 403"), err.toString(UTF_8));
    }

    @Test
    void usageErrorsExit1AndHelpExits0() {
        assertEquals(1, run("http://x/only-url"));
        assertTrue(err.toString(UTF_8).startsWith("Usage: cache-url [options] <url> <destination_file>"));
        assertEquals(1, run("-z", "http://x/a", "a"));
        assertTrue(err.toString(UTF_8).startsWith("cache-url: invalid option -- 'z'"));
        assertEquals(0, run("-h"));
        assertTrue(out.toString(UTF_8).contains("-f          -- force upstream caches to fetch a new copy of the file"));
        assertEquals(1, run("not a url", "a"));
        assertEquals("cache-url: not a URL: not a url\n", err.toString(UTF_8));
    }
}

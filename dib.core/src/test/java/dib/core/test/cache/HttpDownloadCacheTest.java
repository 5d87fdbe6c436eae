// SPDX-License-Identifier: Apache-2.0
package dib.core.test.cache;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.build.BuildEvent;
import dib.core.build.BuildException;
import dib.core.cache.DownloadCache;
import dib.core.cache.DownloadCache.Fetch;
import dib.core.cache.DownloadCache.Outcome;
import dib.core.internal.cache.HttpDownloadCache;

class HttpDownloadCacheTest {
    private static final Instant T1 = Instant.parse("2024-01-02T03:04:05Z");
    private static final Instant T2 = Instant.parse("2024-02-03T04:05:06Z");

    @TempDir
    Path cacheDir;
    TestServer server;
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws IOException {
        server = new TestServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpDownloadCache cache(boolean offline) {
        return new HttpDownloadCache(cacheDir, offline, "b1", events::add, log::add);
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    /** @return files in the cache directory other than the cached ones and their locks */
    List<String> leftovers() throws IOException {
        try (Stream<Path> s = Files.walk(cacheDir)) {
            return s.filter(Files::isRegularFile).map(p -> cacheDir.relativize(p).toString())
                    .filter(n -> n.contains(".download")).collect(Collectors.toList());
        }
    }

    @Test
    void conditionalGetKeepsTheFileWhenTheServerSays304() throws Exception {
        byte[] body = bytes(100_000, 1);
        server.put("/img", body, T1);
        Path dest = cacheDir.resolve("img");
        assertEquals(Outcome.DOWNLOADED, cache(false).fetch(server.url("/img"), dest, Fetch.plain()));
        assertArrayEquals(body, Files.readAllBytes(dest));
        assertEquals(FileTime.from(T1), Files.getLastModifiedTime(dest), "mtime from Last-Modified");
        assertTrue(log.contains("Downloaded and cached " + server.url("/img") + " for the first time"), log.toString());
        assertNull(server.requests.get(0).header("If-Modified-Since"));

        assertEquals(Outcome.NOT_MODIFIED, cache(false).fetch(server.url("/img"), dest, Fetch.plain()));
        assertEquals("Tue, 2 Jan 2024 03:04:05 GMT", server.requests.get(1).header("If-Modified-Since"));
        assertEquals(1, server.count("/img", 304));
        assertEquals(1, server.bodiesSent.get());
        assertArrayEquals(body, Files.readAllBytes(dest));
        assertEquals(FileTime.from(T1), Files.getLastModifiedTime(dest));
        assertTrue(log.contains("Server copy has not changed. Using locally cached " + server.url("/img")));
        assertEquals(List.of(), leftovers());
        assertTrue(Files.exists(cacheDir.resolve("img.lock")), "the lock file stays");
    }

    @Test
    void aNewerServerCopyReplacesTheCachedOne() throws Exception {
        server.put("/f", "old".getBytes(UTF_8), T1);
        Path dest = cacheDir.resolve("sub/f");
        cache(false).fetch(server.url("/f"), dest, Fetch.plain());
        server.put("/f", "new".getBytes(UTF_8), T2);
        assertEquals(Outcome.DOWNLOADED, cache(false).fetch(server.url("/f"), dest, Fetch.plain()));
        assertEquals("new", Files.readString(dest));
        assertEquals(FileTime.from(T2), Files.getLastModifiedTime(dest));
        assertTrue(log.contains("Server copy has changed. Using server version of " + server.url("/f")));
    }

    @Test
    void forceRevalidatesWithoutTimeCondition() throws Exception {
        server.put("/f", "x".getBytes(UTF_8), T1);
        Path dest = cacheDir.resolve("f");
        cache(false).fetch(server.url("/f"), dest, Fetch.plain());
        assertEquals(Outcome.DOWNLOADED, cache(false).fetch(server.url("/f"), dest, new Fetch(true, null)));
        TestServer.Request r = server.requests.get(1);
        assertNull(r.header("If-Modified-Since"));
        assertEquals("no-cache, must-revalidate", r.header("Cache-Control"));
        assertEquals("no-cache", r.header("Pragma"));
    }

    @Test
    void notFoundIsExitStatus44AndLeavesNothing() throws Exception {
        Path dest = cacheDir.resolve("missing");
        BuildException e = assertThrows(BuildException.class,
                () -> cache(false).fetch(server.url("/missing"), dest, Fetch.plain()));
        assertEquals(DownloadCache.NOT_FOUND_STATUS, e.exitStatus());
        assertEquals("cannot download " + server.url("/missing") + ": HTTP 404 Not Found", e.getMessage());
        assertFalse(Files.exists(dest));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void otherStatusIsExitStatus1() throws Exception {
        server.put("/f", "x".getBytes(UTF_8), T1).statuses.add(403);
        BuildException e = assertThrows(BuildException.class,
                () -> cache(false).fetch(server.url("/f"), cacheDir.resolve("f"), Fetch.plain()));
        assertEquals(1, e.exitStatus());
        assertTrue(e.getMessage().contains("HTTP 403"), e.getMessage());
    }

    @Test
    void transientErrorsAreRetried() throws Exception {
        System.setProperty("dib.download.retryDelayMillis", "10");
        try {
            TestServer.File f = server.put("/f", "ok".getBytes(UTF_8), T1);
            f.statuses.add(503);
            f.statuses.add(502);
            assertEquals(Outcome.DOWNLOADED,
                    cache(false).fetch(server.url("/f"), cacheDir.resolve("f"), Fetch.plain()));
            assertEquals("ok", Files.readString(cacheDir.resolve("f")));
            assertEquals(3, server.requests.size());
        } finally {
            System.clearProperty("dib.download.retryDelayMillis");
        }
    }

    @Test
    void aTruncatedDownloadNeverReplacesTheCachedFile() throws Exception {
        byte[] good = bytes(50_000, 2);
        server.put("/img", good, T1);
        Path dest = cacheDir.resolve("img");
        cache(false).fetch(server.url("/img"), dest, Fetch.plain());

        server.put("/img", bytes(200_000, 3), T2).truncateAt = 70_000;
        BuildException e = assertThrows(BuildException.class,
                () -> cache(false).fetch(server.url("/img"), dest, Fetch.plain()));
        assertTrue(e.getMessage().startsWith("download of " + server.url("/img") + " is truncated: got "),
                e.getMessage());
        assertTrue(e.getMessage().contains("of 200000 bytes"), e.getMessage());
        assertArrayEquals(good, Files.readAllBytes(dest));
        assertEquals(FileTime.from(T1), Files.getLastModifiedTime(dest));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void aTruncatedFirstDownloadLeavesNoFile() throws Exception {
        server.put("/img", bytes(100_000, 3), T1).truncateAt = 10;
        Path dest = cacheDir.resolve("img");
        assertThrows(BuildException.class, () -> cache(false).fetch(server.url("/img"), dest, Fetch.plain()));
        assertFalse(Files.exists(dest));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void aFailedVerificationNeverReplacesTheCachedFile() throws Exception {
        server.put("/img", "good".getBytes(UTF_8), T1);
        Path dest = cacheDir.resolve("img");
        cache(false).fetch(server.url("/img"), dest, Fetch.plain());
        server.put("/img", "evil".getBytes(UTF_8), T2);
        DownloadCache.Verifier v = file -> {
            try {
                if (!Files.readString(file).equals("good")) {
                    throw new BuildException("checksum mismatch for " + server.url("/img"));
                }
            } catch (IOException e) {
                throw new BuildException("cannot read " + file, e);
            }
        };
        BuildException e = assertThrows(BuildException.class,
                () -> cache(false).fetch(server.url("/img"), dest, new Fetch(false, v)));
        assertEquals("checksum mismatch for " + server.url("/img"), e.getMessage());
        assertEquals("good", Files.readString(dest));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void offlineUsesTheCacheWithoutAnyRequest() throws Exception {
        Path dest = cacheDir.resolve("img");
        Files.writeString(dest, "cached");
        assertEquals(Outcome.CACHED_OFFLINE, cache(true).fetch(server.url("/img"), dest, Fetch.plain()));
        assertEquals(0, server.requests.size());
        assertEquals("cached", Files.readString(dest));
    }

    @Test
    void offlineWithoutCacheStillTriesAndSaysWhatIsMissing() throws Exception {
        Path dest = cacheDir.resolve("img");
        BuildException e = assertThrows(BuildException.class,
                () -> cache(true).fetch(server.url("/img"), dest, Fetch.plain()));
        assertTrue(e.getMessage().startsWith("offline mode and " + dest + " is not cached; fetching "
                + server.url("/img") + " failed: "), e.getMessage());
        assertEquals(44, e.exitStatus());
        server.put("/img", "x".getBytes(UTF_8), T1);
        assertEquals(Outcome.DOWNLOADED, cache(true).fetch(server.url("/img"), dest, Fetch.plain()));
    }

    @Test
    void connectionRefusedNamesTheUrl() throws Exception {
        System.setProperty("dib.download.retryDelayMillis", "1");
        try {
            URI dead;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                dead = URI.create("http://127.0.0.1:" + s.getLocalPort() + "/x");
            }
            BuildException e = assertThrows(BuildException.class,
                    () -> cache(false).fetch(dead, cacheDir.resolve("x"), Fetch.plain()));
            assertTrue(e.getMessage().startsWith("cannot download " + dead + ": cannot connect"), e.getMessage());
        } finally {
            System.clearProperty("dib.download.retryDelayMillis");
        }
    }

    @Test
    void progressEventsAreThrottled() throws Exception {
        server.put("/img", bytes(8192 * 40, 5), T1).chunkDelayMillis = 25; // about 1 s
        cache(false).fetch(server.url("/img"), cacheDir.resolve("img"), Fetch.plain());
        List<BuildEvent> dl = events.stream().filter(e -> e.type() == BuildEvent.Type.DOWNLOAD)
                .collect(Collectors.toList());
        assertTrue(dl.size() >= 3 && dl.size() <= 10, "events: " + dl.size());
        BuildEvent last = dl.get(dl.size() - 1);
        assertEquals(8192 * 40, last.bytes());
        assertEquals(8192 * 40, last.total());
        assertEquals(server.url("/img").toString(), last.message());
        assertEquals("b1", last.buildId());
        for (int i = 1; i < dl.size(); i++) {
            assertTrue(dl.get(i).bytes() >= dl.get(i - 1).bytes());
        }
    }

    @Test
    void twoThreadsFetchingOneFileDownloadItOnce() throws Exception {
        byte[] body = bytes(8192 * 30, 7);
        server.put("/img", body, T1).chunkDelayMillis = 20;
        Path dest = cacheDir.resolve("img");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Outcome>> results = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                HttpDownloadCache c = cache(false); // one cache per build, as the engine does
                results.add(pool.submit(() -> {
                    go.await();
                    return c.fetch(server.url("/img"), dest, Fetch.plain());
                }));
            }
            go.countDown();
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> f : results) {
                outcomes.add(f.get(30, TimeUnit.SECONDS));
            }
            Collections.sort(outcomes);
            assertEquals(List.of(Outcome.DOWNLOADED, Outcome.NOT_MODIFIED), outcomes);
            assertEquals(1, server.bodiesSent.get());
            assertArrayEquals(body, Files.readAllBytes(dest));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoJvmsFetchingOneFileDownloadItOnce() throws Exception {
        byte[] body = bytes(8192 * 40, 8);
        server.put("/img", body, T1).chunkDelayMillis = 25;
        Path dest = cacheDir.resolve("img");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                FetchMain.class.getName(), server.url("/img").toString(), dest.toString(), cacheDir.toString())
                .redirectErrorStream(true).start();
        // let the child take the lock and start its download, then fetch here
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (server.requests.isEmpty() && server.bodiesSent.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Outcome mine = cache(false).fetch(server.url("/img"), dest, Fetch.plain());
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        String out = new String(child.getInputStream().readAllBytes(), UTF_8);
        assertEquals(0, child.exitValue(), out);
        assertTrue(out.contains("outcome: DOWNLOADED"), out);
        assertEquals(Outcome.NOT_MODIFIED, mine);
        assertEquals(1, server.bodiesSent.get());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("Waiting for the lock on " + dest)), log.toString());
        assertArrayEquals(body, Files.readAllBytes(dest));
    }

    @Test
    void anInterruptedDownloadLeavesTheOldFile() throws Exception {
        server.put("/img", "old".getBytes(UTF_8), T1);
        Path dest = cacheDir.resolve("img");
        cache(false).fetch(server.url("/img"), dest, Fetch.plain());
        server.put("/img", bytes(8192 * 200, 9), T2).chunkDelayMillis = 50; // 10 s
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                cache(false).fetch(server.url("/img"), dest, Fetch.plain());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.bodiesSent.get() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(300);
        t.interrupt();
        t.join(10_000);
        assertFalse(t.isAlive());
        assertTrue(failure.get() instanceof BuildException, String.valueOf(failure.get()));
        assertTrue(failure.get().getMessage().contains("interrupted"), failure.get().getMessage());
        assertEquals("old", Files.readString(dest));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void leftoversOfAKilledDownloadAreRemoved() throws Exception {
        Path stale = cacheDir.resolve(".img.12345.download");
        Files.writeString(stale, "partial");
        server.put("/img", "x".getBytes(UTF_8), T1);
        cache(false).fetch(server.url("/img"), cacheDir.resolve("img"), Fetch.plain());
        assertFalse(Files.exists(stale));
    }

    @Test
    void fileUrlsAreCopiedAndNotModifiedWhenNotNewer(@TempDir Path src) throws Exception {
        Path f = src.resolve("base.qcow2");
        Files.write(f, bytes(5000, 4));
        Files.setLastModifiedTime(f, FileTime.from(T1));
        Path dest = cacheDir.resolve("base.qcow2");
        assertEquals(Outcome.DOWNLOADED, cache(false).fetch(f.toUri(), dest, Fetch.plain()));
        assertEquals(FileTime.from(T1), Files.getLastModifiedTime(dest));
        assertEquals(Outcome.NOT_MODIFIED, cache(false).fetch(f.toUri(), dest, Fetch.plain()));
        Files.setLastModifiedTime(f, FileTime.from(T2));
        assertEquals(Outcome.DOWNLOADED, cache(false).fetch(f.toUri(), dest, Fetch.plain()));
        BuildException e = assertThrows(BuildException.class,
                () -> cache(false).fetch(src.resolve("nope").toUri(), cacheDir.resolve("nope"), Fetch.plain()));
        assertEquals(44, e.exitStatus());
    }

    @Test
    void lockedIsReentrantAndExcludesOtherThreads() throws Exception {
        HttpDownloadCache c = cache(false);
        Path file = cacheDir.resolve("thing");
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        Thread holder = new Thread(() -> {
            try {
                c.locked(file, () -> c.locked(file, () -> {
                    order.add("first in");
                    inside.countDown();
                    release.await();
                    order.add("first out");
                    return null;
                }));
            } catch (BuildException e) {
                order.add("error " + e.getMessage());
            }
        });
        holder.start();
        assertTrue(inside.await(5, TimeUnit.SECONDS));
        Thread second = new Thread(() -> {
            try {
                cache(false).locked(file, () -> order.add("second"));
            } catch (BuildException e) {
                order.add("error " + e.getMessage());
            }
        });
        second.start();
        Thread.sleep(200);
        assertEquals(List.of("first in"), order);
        release.countDown();
        holder.join(5000);
        second.join(5000);
        assertEquals(List.of("first in", "first out", "second"), order);
    }

    @Test
    void destinationsOutsideTheCacheGetNoLockFileNextToThem(@TempDir Path elsewhere) throws Exception {
        server.put("/f", "x".getBytes(UTF_8), T1);
        Path dest = elsewhere.resolve("f");
        cache(false).fetch(server.url("/f"), dest, Fetch.plain());
        try (Stream<Path> s = Files.list(elsewhere)) {
            assertEquals(List.of("f"), s.map(p -> p.getFileName().toString()).collect(Collectors.toList()));
        }
        assertTrue(Files.isDirectory(cacheDir.resolve(".locks")));
    }
}

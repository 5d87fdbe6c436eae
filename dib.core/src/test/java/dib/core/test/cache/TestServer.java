// SPDX-License-Identifier: Apache-2.0
package dib.core.test.cache;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A small HTTP server on loopback for cache tests: files with a modification time, honest
 * conditional GET, and faults (404 for anything unknown, truncated bodies, slow bodies,
 * scripted status codes). Counts what it sent.
 */
public final class TestServer implements AutoCloseable {
    /** One served file. */
    public static final class File {
        volatile byte[] body;
        volatile Instant modified;
        /** send only this many bytes of the declared length, then drop the connection; -1: all */
        public volatile int truncateAt = -1;
        /** pause this long after each chunk (slow mirror) */
        public volatile long chunkDelayMillis;
        /** status codes to answer before serving the file */
        public final List<Integer> statuses = new CopyOnWriteArrayList<>();
    }

    /** A request as the server saw it. */
    public record Request(String path, Map<String, List<String>> headers, int status) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    private final HttpServer server;
    private final Map<String, File> files = new ConcurrentHashMap<>();
    public final List<Request> requests = new CopyOnWriteArrayList<>();
    public final AtomicInteger bodiesSent = new AtomicInteger();

    public TestServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves {@code body} at {@code path}, modified at {@code modified} (whole seconds). */
    public File put(String path, byte[] body, Instant modified) {
        File f = files.computeIfAbsent(path, p -> new File());
        f.body = body.clone();
        f.modified = modified.truncatedTo(ChronoUnit.SECONDS);
        return f;
    }

    public void remove(String path) {
        files.remove(path);
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** @return the requests for {@code path} that got status {@code status} */
    public long count(String path, int status) {
        return requests.stream().filter(r -> r.path().equals(path) && r.status() == status).count();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        File f = files.get(path);
        try {
            if (f == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            if (!f.statuses.isEmpty()) {
                ex.sendResponseHeaders(f.statuses.remove(0), -1);
                return;
            }
            String ims = ex.getRequestHeaders().getFirst("If-Modified-Since");
            if (ims != null && !f.modified.isAfter(
                    ZonedDateTime.parse(ims, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())) {
                ex.sendResponseHeaders(304, -1);
                return;
            }
            byte[] body = f.body;
            ex.getResponseHeaders().add("Last-Modified",
                    DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(f.modified, ZoneOffset.UTC)));
            ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            bodiesSent.incrementAndGet();
            int limit = f.truncateAt >= 0 ? Math.min(f.truncateAt, body.length) : body.length;
            OutputStream out = ex.getResponseBody();
            int chunk = 8192;
            for (int off = 0; off < limit; off += chunk) {
                out.write(body, off, Math.min(chunk, limit - off));
                out.flush();
                if (f.chunkDelayMillis > 0) {
                    Thread.sleep(f.chunkDelayMillis);
                }
            }
            if (limit < body.length) {
                // drop the connection with the body incomplete (close() fails and closes it)
                throw new IOException("truncated on purpose");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            requests.add(new Request(path, Map.copyOf(ex.getRequestHeaders()), ex.getResponseCode()));
            ex.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

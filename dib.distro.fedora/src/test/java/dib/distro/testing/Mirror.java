// SPDX-License-Identifier: Apache-2.0
package dib.distro.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A distribution mirror on loopback, serving a directory: files with Last-Modified from their
 * modification time and honest conditional GET, directory listings as HTML (what Fedora's
 * download server shows), 404 for anything missing, and a truncation fault per path.
 */
public final class Mirror implements AutoCloseable {
    private static final DateTimeFormatter HTTP = DateTimeFormatter.RFC_1123_DATE_TIME;
    private final HttpServer server;
    private final Path root;
    /** path → bytes to send before dropping the connection */
    public final Map<String, Integer> truncate = new ConcurrentHashMap<>();
    /** path → how many full bodies were sent */
    public final Map<String, AtomicInteger> bodies = new ConcurrentHashMap<>();
    public final AtomicInteger requests = new AtomicInteger();

    public Mirror(Path root) throws IOException {
        this.root = root;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-mirror");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** @return the URL of a path below the served directory ("" for its root) */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + path;
    }

    public URI uri(String path) {
        return URI.create(url(path));
    }

    /** @return how many full bodies of {@code path} were sent */
    public int served(String path) {
        AtomicInteger n = bodies.get(path);
        return n == null ? 0 : n.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try (ex) {
            String rel = ex.getRequestURI().getPath().replaceFirst("^/+", "");
            Path p = root.resolve(rel).normalize();
            if (!p.startsWith(root) || !Files.exists(p)) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            if (Files.isDirectory(p)) {
                listing(ex, p);
                return;
            }
            Instant modified = Files.getLastModifiedTime(p).toInstant().truncatedTo(ChronoUnit.SECONDS);
            String ims = ex.getRequestHeaders().getFirst("If-Modified-Since");
            if (ims != null && !modified.isAfter(ZonedDateTime.parse(ims, HTTP).toInstant())) {
                ex.sendResponseHeaders(304, -1);
                return;
            }
            long size = Files.size(p);
            ex.getResponseHeaders().add("Last-Modified", HTTP.format(ZonedDateTime.ofInstant(modified, ZoneOffset.UTC)));
            ex.sendResponseHeaders(200, size == 0 ? -1 : size);
            Integer cut = truncate.get(rel);
            try (InputStream in = Files.newInputStream(p); OutputStream out = ex.getResponseBody()) {
                if (cut != null) {
                    out.write(in.readNBytes(cut));
                    out.flush();
                    throw new IOException("truncated on purpose");
                }
                in.transferTo(out);
            }
            bodies.computeIfAbsent(rel, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    private static void listing(HttpExchange ex, Path dir) throws IOException {
        String rows;
        try (Stream<Path> s = Files.list(dir)) {
            rows = s.map(f -> f.getFileName().toString()).sorted()
                    .map(n -> "<tr><td><a href=\"" + n + "\">" + n + "</a></td></tr>").collect(Collectors.joining("\n"));
        }
        byte[] body = ("<html><body><table>\n" + rows + "\n</table></body></html>\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "text/html");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

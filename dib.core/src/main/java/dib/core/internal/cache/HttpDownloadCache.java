// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.net.http.HttpTimeoutException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import dib.core.build.BuildEvent;
import dib.core.build.BuildException;
import dib.core.cache.DownloadCache;

/**
 * The download cache of one build, with {@link HttpClient}.
 *
 * <p>What it does, beyond the {@link DownloadCache} contract:
 * <ul>
 * <li>http and https follow redirects (not from https to http) and go through the proxies of
 * {@code http_proxy}, {@code https_proxy} and {@code no_proxy} ({@link EnvProxySelector});
 * file URLs are copied, and are
 * "not modified" when the source is not newer than the cached copy;</li>
 * <li>the conditional request carries If-Modified-Since from the cached file's mtime, and the
 * cached file's mtime is set from Last-Modified (the download time when there is none);</li>
 * <li>a body shorter or longer than Content-Length, a dropped connection, a stalled body
 * ({@link #STALL} without a byte), an interrupt of the fetching thread or a failed
 * verification leaves the cached file as it was and removes the temporary file;</li>
 * <li>connection failures and HTTP 408, 429, 500, 502, 503 and 504 are retried
 * {@link #RETRIES} times with growing delays (upstream: {@code curl --retry 3});</li>
 * <li>a destination inside {@link #directory()} is locked with {@code <dest>.lock} (which
 * stays); another destination (for example a file inside an image tree, named by a hook's
 * {@code cache-url}) is locked with {@code .locks/<hash of its path>.lock} in the cache
 * directory, so that no lock file lands next to it;</li>
 * <li>leftover temporary files of a killed download ({@code .<name>.*.download} next to the
 * destination) are removed by the next fetch of that destination;</li>
 * <li>{@code DOWNLOAD} events at most every {@link #PROGRESS_INTERVAL}, and one at the end.</li>
 * </ul>
 *
 * <p>System properties {@code dib.download.retryDelayMillis} (default 5000, doubled for each
 * retry) and {@code dib.download.stallSeconds} (default 120) tune retries and stall detection.
 */
public final class HttpDownloadCache implements DownloadCache {
    /** How many times a transient failure is retried. */
    static final int RETRIES = 3;
    /** Minimum time between two progress events of one download. */
    static final Duration PROGRESS_INTERVAL = Duration.ofMillis(250);
    /** A body that sends nothing for this long is abandoned. */
    static final Duration STALL = Duration.ofSeconds(Long.getLong("dib.download.stallSeconds", 120));
    private static final String TEMP_SUFFIX = ".download";
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private static final HttpClient CLIENT = client(new EnvProxySelector(System.getenv()));

    private final Path directory;
    private final boolean offline;
    private final String buildId;
    private final Consumer<BuildEvent> events;
    private final Consumer<String> log;

    /**
     * @param cacheDir the cache directory ({@code --image-cache}, {@code DIB_IMAGE_CACHE})
     * @param offline  offline mode: cached files are used without asking the server
     * @param buildId  the build id carried by progress events
     * @param events   receives {@code DOWNLOAD} progress events
     * @param log      receives one line per fetch for the build log
     */
    public HttpDownloadCache(Path cacheDir, boolean offline, String buildId, Consumer<BuildEvent> events,
            Consumer<String> log) {
        this.directory = Objects.requireNonNull(cacheDir, "cacheDir").toAbsolutePath().normalize();
        this.offline = offline;
        this.buildId = buildId;
        this.events = events == null ? e -> { } : events;
        this.log = log == null ? l -> { } : log;
    }

    /**
     * @param proxies where requests go ({@link EnvProxySelector} for the JVM's environment)
     * @return the client every cache uses: redirects followed (not from https to http),
     *         10 s to connect
     */
    public static HttpClient client(java.net.ProxySelector proxies) {
        return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(10)).proxy(proxies).build();
    }

    @Override
    public Path directory() {
        return directory;
    }

    @Override
    public Outcome fetch(URI url, Path dest, Fetch fetch) throws BuildException {
        return fetch(url, dest, fetch, log);
    }

    /**
     * {@link #fetch(URI, Path, Fetch)} with upstream's {@code cache-url} messages sent to
     * {@code messages} instead of the build log.
     */
    public Outcome fetch(URI url, Path dest, Fetch fetch, Consumer<String> messages) throws BuildException {
        Objects.requireNonNull(url, "url");
        Fetch f = fetch == null ? Fetch.plain() : fetch;
        Path target = dest.toAbsolutePath().normalize();
        return locked(target, () -> fetchLocked(url, target, f, messages));
    }

    @Override
    public <T> T locked(Path file, Callable<T> work) throws BuildException {
        Path target = file.toAbsolutePath().normalize();
        Path lockFile = target.startsWith(directory) ? lockFileOf(target)
                : directory.resolve(".locks").resolve(Integer.toHexString(target.toString().hashCode()) + ".lock");
        return FileLocks.withLock(lockFile, target.toString(), log, work);
    }

    /** @return the lock file of a cached file */
    public static Path lockFileOf(Path cached) {
        return cached.resolveSibling(cached.getFileName() + ".lock");
    }

    private Outcome fetchLocked(URI url, Path dest, Fetch f, Consumer<String> messages) throws BuildException {
        removeLeftovers(dest);
        boolean cached = isNonEmptyFile(dest);
        if (offline && cached) {
            messages.accept("Offline mode: using cached " + dest + " without checking " + url);
            return Outcome.CACHED_OFFLINE;
        }
        try {
            Files.createDirectories(dest.getParent());
        } catch (IOException e) {
            throw new BuildException("cannot create " + dest.getParent() + " for " + url + ": " + e.getMessage(), e);
        }
        try {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
            switch (scheme) {
                case "http":
                case "https":
                    return fetchHttp(url, dest, f, cached, messages);
                case "file":
                    return fetchFile(url, dest, f, cached, messages);
                default:
                    throw new BuildException("cannot download " + url + ": only http, https and file URLs are supported");
            }
        } catch (BuildException e) {
            if (offline && !cached) {
                throw new BuildException("offline mode and " + dest + " is not cached; fetching " + url
                        + " failed: " + e.getMessage(), e.exitStatus(), e);
            }
            throw e;
        }
    }

    private Outcome fetchFile(URI url, Path dest, Fetch f, boolean cached, Consumer<String> messages)
            throws BuildException {
        Path src;
        try {
            src = Path.of(url);
        } catch (IllegalArgumentException e) {
            throw new BuildException("cannot download " + url + ": " + e.getMessage(), e);
        }
        if (!Files.isRegularFile(src)) {
            throw new BuildException("cannot download " + url + ": no such file", NOT_FOUND_STATUS, null);
        }
        try {
            FileTime srcTime = Files.getLastModifiedTime(src);
            if (cached && !f.force() && Files.size(src) == Files.size(dest)
                    && srcTime.compareTo(Files.getLastModifiedTime(dest)) <= 0) {
                messages.accept("Server copy has not changed. Using locally cached " + url);
                return Outcome.NOT_MODIFIED;
            }
            Path tmp = tempFor(dest);
            try {
                long total = Files.size(src);
                try (InputStream in = Files.newInputStream(src); OutputStream out = Files.newOutputStream(tmp)) {
                    copy(in, out, url, total);
                }
                commit(url, tmp, dest, f, srcTime);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new BuildException("cannot download " + url + ": " + e.getMessage(), e);
        }
        messages.accept(successMessage(url, f, cached));
        return Outcome.DOWNLOADED;
    }

    private Outcome fetchHttp(URI url, Path dest, Fetch f, boolean cached, Consumer<String> messages)
            throws BuildException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(url).GET().timeout(Duration.ofSeconds(60))
                .header("User-Agent", "dib/1.0");
        boolean conditional = false;
        if (f.force()) {
            rb.header("Pragma", "no-cache").header("Cache-Control", "no-cache, must-revalidate");
        } else if (cached) {
            try {
                Instant mtime = Files.getLastModifiedTime(dest).toInstant();
                rb.header("If-Modified-Since", HTTP_DATE.format(ZonedDateTime.ofInstant(mtime, ZoneOffset.UTC)));
                conditional = true;
            } catch (IOException e) {
                // no condition then: a full download
            }
        }
        HttpRequest request = rb.build();
        for (int attempt = 0;; attempt++) {
            Path tmp;
            try {
                tmp = tempFor(dest);
            } catch (IOException e) {
                throw new BuildException("cannot create a temporary file next to " + dest + " for " + url + ": "
                        + e.getMessage(), e);
            }
            try {
                Received r = receive(url, request, tmp);
                if (r.status == 304) {
                    messages.accept("Server copy has not changed. Using locally cached " + url);
                    return Outcome.NOT_MODIFIED;
                }
                if (r.status == 200) {
                    if (conditional && r.bytes == 0) {
                        // a server that ignores the condition may send nothing; keep the cached copy
                        messages.accept("Ignoring empty file returned by the server. Using locally cached " + url);
                        return Outcome.NOT_MODIFIED;
                    }
                    commit(url, tmp, dest, f, r.lastModified);
                    messages.accept(successMessage(url, f, cached));
                    return Outcome.DOWNLOADED;
                }
                if (isTransient(r.status) && retry(url, attempt, "HTTP " + r.status)) {
                    continue;
                }
                messages.accept("Server returned an unexpected response code. [" + r.status + "]");
                throw new BuildException("cannot download " + url + ": HTTP " + r.status + reason(r.status),
                        r.status == 404 ? NOT_FOUND_STATUS : 1, null);
            } catch (Unreachable e) {
                if (retry(url, attempt, e.getMessage())) {
                    continue;
                }
                throw new BuildException("cannot download " + url + ": " + e.getMessage(), e.getCause());
            } catch (IOException e) {
                throw new BuildException("cannot download " + url + ": " + describe(e), e);
            } finally {
                deleteQuietly(tmp);
            }
        }
    }

    /** The server could not be reached or did not answer: worth a retry. */
    private static final class Unreachable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What one request gave. */
    private static final class Received {
        int status;
        long bytes;
        FileTime lastModified;
    }

    /**
     * Sends the request and writes a 200 body to {@code tmp}. The calling thread only waits
     * (interruptibly) while the client's threads write the body, so an interrupt or a stall
     * ends the download at once.
     */
    private Received receive(URI url, HttpRequest request, Path tmp)
            throws BuildException, Unreachable, IOException {
        Received r = new Received();
        BodyWriter[] writer = new BodyWriter[1];
        HttpResponse.BodyHandler<Long> handler = info -> {
            r.status = info.statusCode();
            if (r.status != 200) {
                return HttpResponse.BodySubscribers.replacing(0L);
            }
            HttpHeaders h = info.headers();
            boolean identity = h.firstValue("Content-Encoding").map(v -> v.equalsIgnoreCase("identity")).orElse(true);
            OptionalLong length = h.firstValueAsLong("Content-Length");
            r.lastModified = h.firstValue("Last-Modified").map(HttpDownloadCache::parseDate).orElse(null);
            writer[0] = new BodyWriter(tmp, url, length.isPresent() && identity ? length.getAsLong() : -1);
            return writer[0];
        };
        CompletableFuture<HttpResponse<Long>> cf = CLIENT.sendAsync(request, handler);
        try {
            while (true) {
                try {
                    r.bytes = cf.get(1, TimeUnit.SECONDS).body();
                    break;
                } catch (TimeoutException e) {
                    // before the headers arrive the request timeout applies, after them this check
                    BodyWriter w = writer[0];
                    if (w != null && System.nanoTime() - w.lastByte > STALL.toNanos()) {
                        w.cancel();
                        cf.cancel(true);
                        throw new BuildException("download of " + url + " stalled: nothing received for "
                                + STALL.toSeconds() + " s after " + w.done + " bytes; the cached copy was not replaced");
                    }
                }
            }
        } catch (InterruptedException e) {
            if (writer[0] != null) {
                writer[0].cancel();
            }
            cf.cancel(true);
            Thread.currentThread().interrupt();
            throw new BuildException("download of " + url + " interrupted; the cached copy was not replaced", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            BodyWriter w = writer[0];
            if (w != null) {
                w.cancel();
                if (w.total >= 0 && w.done < w.total) {
                    throw new BuildException("download of " + url + " is truncated: got " + w.done + " of " + w.total
                            + " bytes (" + describe(c) + "); the cached copy was not replaced", c);
                }
                if (c instanceof BuildException) {
                    throw (BuildException) c;
                }
                throw new BuildException("download of " + url + " failed after " + w.done + " bytes: " + describe(c)
                        + "; the cached copy was not replaced", c);
            }
            if (c instanceof HttpConnectTimeoutException || c instanceof ConnectException) {
                throw new Unreachable("cannot connect (" + describe(c) + ")", c);
            }
            if (c instanceof HttpTimeoutException) {
                throw new Unreachable("the server did not answer", c);
            }
            if (c instanceof IOException) {
                throw new Unreachable(describe(c), c);
            }
            throw new IOException(describe(c), c);
        }
        BodyWriter w = writer[0];
        if (w != null) {
            if (w.total >= 0 && w.done != w.total) {
                throw new BuildException("download of " + url + " is truncated: got " + w.done + " of " + w.total
                        + " bytes; the cached copy was not replaced");
            }
            events.accept(BuildEvent.download(buildId, url.toString(), w.done, w.total));
        }
        return r;
    }

    /**
     * Writes a response body to a file as it arrives, one buffer list at a time, and
     * publishes progress events.
     */
    private final class BodyWriter implements HttpResponse.BodySubscriber<Long> {
        final URI url;
        final long total;
        final CompletableFuture<Long> result = new CompletableFuture<>();
        final FileChannel channel;
        volatile long done;
        volatile long lastByte = System.nanoTime();
        private long lastEvent;
        private volatile Flow.Subscription subscription;

        BodyWriter(Path tmp, URI url, long total) {
            this.url = url;
            this.total = total;
            FileChannel ch = null;
            try {
                ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
            this.channel = ch;
            events.accept(BuildEvent.download(buildId, url.toString(), 0, total));
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (channel == null) {
                s.cancel();
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            try {
                for (ByteBuffer b : buffers) {
                    while (b.hasRemaining()) {
                        done += channel.write(b);
                    }
                }
                lastByte = System.nanoTime();
                if (total >= 0 && done > total) {
                    throw new IOException("more than the Content-Length of " + total + " bytes");
                }
                if (lastByte - lastEvent > PROGRESS_INTERVAL.toNanos()) {
                    lastEvent = lastByte;
                    events.accept(BuildEvent.download(buildId, url.toString(), done, total));
                }
                subscription.request(1);
            } catch (IOException e) {
                subscription.cancel();
                finish(e);
            }
        }

        @Override
        public void onError(Throwable t) {
            finish(t);
        }

        @Override
        public void onComplete() {
            finish(null);
        }

        private void finish(Throwable t) {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException e) {
                if (t == null) {
                    t = e;
                }
            }
            if (t == null) {
                result.complete(done);
            } else {
                result.completeExceptionally(t);
            }
        }

        /** Stops the transfer and closes the file (the caller deletes it). */
        void cancel() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            finish(new IOException("cancelled"));
        }

        @Override
        public CompletionStage<Long> getBody() {
            return result;
        }
    }

    private static String successMessage(URI url, Fetch f, boolean cached) {
        if (f.force()) {
            return "Downloaded and cached " + url + ", having forced upstream caches to revalidate";
        }
        return cached ? "Server copy has changed. Using server version of " + url
                : "Downloaded and cached " + url + " for the first time";
    }

    /** Verifies the temporary file, dates it and renames it over {@code dest}. */
    private static void commit(URI url, Path tmp, Path dest, Fetch f, FileTime mtime)
            throws BuildException, IOException {
        if (f.verifier() != null) {
            f.verifier().verify(tmp);
        }
        Files.setLastModifiedTime(tmp, mtime != null ? mtime : FileTime.from(Instant.now()));
        try {
            Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new BuildException("cannot replace " + dest + " atomically with the download of " + url, e);
        }
    }

    /** Copies a local file with progress events, stopping when the thread is interrupted. */
    private void copy(InputStream in, OutputStream out, URI url, long total) throws IOException, BuildException {
        long done = 0;
        long lastEvent = 0;
        byte[] buf = new byte[1 << 16];
        events.accept(BuildEvent.download(buildId, url.toString(), 0, total));
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            done += n;
            long now = System.nanoTime();
            if (now - lastEvent > PROGRESS_INTERVAL.toNanos()) {
                lastEvent = now;
                events.accept(BuildEvent.download(buildId, url.toString(), done, total));
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new BuildException("copy of " + url + " interrupted; the cached copy was not replaced");
            }
        }
        events.accept(BuildEvent.download(buildId, url.toString(), done, total));
    }

    private boolean retry(URI url, int attempt, String why) throws BuildException {
        if (attempt >= RETRIES) {
            return false;
        }
        long delay = Long.getLong("dib.download.retryDelayMillis", 5000) << attempt;
        log.accept("Download of " + url + " failed (" + why + "); retrying in " + delay + " ms");
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("download of " + url + " interrupted", e);
        }
        return true;
    }

    private static boolean isTransient(int status) {
        return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    private static String reason(int status) {
        switch (status) {
            case 401: return " Unauthorized";
            case 403: return " Forbidden";
            case 404: return " Not Found";
            case 410: return " Gone";
            case 500: return " Internal Server Error";
            case 502: return " Bad Gateway";
            case 503: return " Service Unavailable";
            default: return "";
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    static FileTime parseDate(String v) {
        try {
            return FileTime.from(ZonedDateTime.parse(v.trim(), HTTP_DATE).toInstant());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static boolean isNonEmptyFile(Path p) {
        try {
            return Files.isRegularFile(p) && Files.size(p) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path tempFor(Path dest) throws IOException {
        return Files.createTempFile(dest.getParent(), "." + dest.getFileName() + ".", TEMP_SUFFIX);
    }

    /** Removes temporary files a killed download of {@code dest} left behind (we hold its lock). */
    private static void removeLeftovers(Path dest) {
        String prefix = "." + dest.getFileName() + ".";
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dest.getParent(),
                p -> {
                    String n = p.getFileName().toString();
                    return n.startsWith(prefix) && n.endsWith(TEMP_SUFFIX)
                            && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
                })) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            // no directory yet
        } catch (IOException e) {
            // harmless: a leftover only wastes space
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // removed by the next fetch of the same file
            }
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}

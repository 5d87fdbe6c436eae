// SPDX-License-Identifier: Apache-2.0
package dib.core.cache;

import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.osgi.annotation.versioning.ProviderType;

import dib.core.build.BuildException;

/**
 * Downloads into the image cache, as upstream's {@code cache-url} does, with guarantees
 * upstream lacks: a download that is interrupted or fails verification never replaces a
 * good cached file; concurrent builds (in this JVM or others) take a lock per cached file;
 * progress is published as {@code DOWNLOAD} build events.
 *
 * <p>Obtained from {@link dib.core.build.BuildContext#cache()}, bound to one build (its
 * cache directory, offline flag and event stream). Thread-safe.
 *
 * @since 1.0
 */
@ProviderType
public interface DownloadCache {
    /** Exit status of {@code cache-url} when the server answers 404, as upstream. */
    int NOT_FOUND_STATUS = 44;

    /** @return the cache directory ({@code DIB_IMAGE_CACHE}) */
    Path directory();

    /**
     * Makes {@code dest} hold the current content of {@code url}. When {@code dest} exists
     * and is not empty the request is conditional (If-Modified-Since its mtime) unless
     * {@link Fetch#force()}. The body goes to a temporary file next to {@code dest}, is
     * checked with {@link Fetch#verifier()} if given, and only then renamed over
     * {@code dest}. In offline mode an existing {@code dest} is used without any request;
     * a missing one is still fetched (upstream's contract), and if that fails the error
     * says that offline mode found nothing cached.
     *
     * @param url   http, https or file URL
     * @param dest  the cached file (a host path)
     * @param fetch options
     * @return what happened
     * @throws BuildException naming the URL: HTTP status (exit status
     *                        {@value #NOT_FOUND_STATUS} for 404), network error, truncated
     *                        body or failed verification
     */
    Outcome fetch(URI url, Path dest, Fetch fetch) throws BuildException;

    /**
     * Runs {@code work} holding the lock of {@code file} (a lock file next to it), which
     * every dib process respects. Re-entrant within one thread.
     */
    <T> T locked(Path file, Callable<T> work) throws BuildException;

    /** What {@link #fetch} did. */
    enum Outcome {
        /** Downloaded for the first time or because the server copy changed. */
        DOWNLOADED,
        /** The server said the cached copy is current. */
        NOT_MODIFIED,
        /** Offline mode: the cached copy was used without asking the server. */
        CACHED_OFFLINE
    }

    /** Checks a downloaded file before it may replace the cached copy. */
    @FunctionalInterface
    interface Verifier {
        /**
         * @param file the downloaded file (temporary name)
         * @throws BuildException if it is not acceptable; the message names the file's URL
         */
        void verify(Path file) throws BuildException;
    }

    /**
     * Options of one fetch.
     *
     * @param force    revalidate without a time condition (upstream's {@code cache-url -f})
     * @param verifier checks the body before it replaces the cached file; may be null
     */
    record Fetch(boolean force, Verifier verifier) {
        /** @return a plain conditional fetch */
        public static Fetch plain() {
            return new Fetch(false, null);
        }
    }
}

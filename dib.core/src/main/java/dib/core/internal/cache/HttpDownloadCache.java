// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.cache;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import dib.core.build.BuildEvent;
import dib.core.build.BuildException;
import dib.core.cache.DownloadCache;

/**
 * Placeholder download cache (plain download to a temp file, then rename) used until the
 * full implementation lands; same constructor as the final class.
 */
public final class HttpDownloadCache implements DownloadCache {
    private final Path dir;
    private final boolean offline;

    public HttpDownloadCache(Path dir, boolean offline, String buildId, Consumer<BuildEvent> events,
            Consumer<String> log) {
        this.dir = dir;
        this.offline = offline;
    }

    @Override
    public Path directory() {
        return dir;
    }

    @Override
    public Outcome fetch(URI url, Path dest, Fetch fetch) throws BuildException {
        if (offline && Files.exists(dest)) {
            return Outcome.CACHED_OFFLINE;
        }
        try {
            Files.createDirectories(dest.getParent());
            Path tmp = Files.createTempFile(dest.getParent(), "." + dest.getFileName(), ".download");
            try (InputStream in = url.toURL().openStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                if (fetch.verifier() != null) {
                    fetch.verifier().verify(tmp);
                }
                Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return Outcome.DOWNLOADED;
        } catch (IOException e) {
            throw new BuildException("cannot download " + url + ": " + e.getMessage(), e);
        }
    }

    @Override
    public <T> T locked(Path file, Callable<T> work) throws BuildException {
        try {
            return work.call();
        } catch (BuildException e) {
            throw e;
        } catch (Exception e) {
            throw new BuildException(e.getMessage(), e);
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.build;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A build started by {@link ImageBuilder#start(BuildRequest)}. Thread-safe.
 *
 * @since 1.0
 */
@ProviderType
public interface Build {
    /** @return the build id, unique in this framework (short, for typing in the shell) */
    String id();

    /** @return the request as given */
    BuildRequest request();

    /** @return the expanded element names once known, else the requested names */
    List<String> elements();

    /** @return the current state */
    BuildState state();

    /** @return the phase running now, or null */
    String phase();

    /** @return when the build was started */
    Instant started();

    /** @return time since start, or the total once done */
    Duration elapsed();

    /** @return the build log (timestamped lines), written as the build runs */
    Path log();

    /**
     * Adds a listener. Events that happened before are not replayed; read {@link #log()}
     * for those.
     */
    void addListener(BuildListener listener);

    /** Removes a listener. */
    void removeListener(BuildListener listener);

    /**
     * Stops the build: every process of the build is killed, every mount and loop device
     * released, temporary files removed. Returns at once; {@link #result()} completes when
     * the cleanup is done. No effect on a finished build.
     */
    void cancel();

    /** @return completes with the result when the build is done and cleaned up */
    CompletionStage<BuildResult> result();

    /**
     * Waits for the result.
     *
     * @return the result
     * @throws InterruptedException if interrupted while waiting (the build goes on)
     */
    BuildResult await() throws InterruptedException;
}

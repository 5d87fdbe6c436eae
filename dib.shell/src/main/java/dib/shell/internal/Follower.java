// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dib.core.build.Build;
import dib.core.build.BuildResult;

/**
 * Shows a running build until it ends: its log lines as they are written (from the log
 * file, so nothing is missed however late the follower starts) and, on a terminal, a
 * progress line kept below them and redrawn in place ({@link Progress}). Runs on the
 * command's thread; the build's own threads only store event values.
 */
public final class Follower {
    /** How often the log is read and the progress line redrawn. */
    static final long TICK_MS = 250;
    /** Erase from the cursor to the end of the line (VT100, understood by every terminal dib meets). */
    public static final String ERASE = "\033[K";

    /**
     * @param terminal draw the progress line (output is a terminal)
     * @param quiet    no log lines ({@code DIB_QUIET=1}); the progress line stays
     * @param stamps   keep the log's timestamps ({@code DIB_NO_TIMESTAMP=1} drops them)
     * @param width    terminal width
     */
    public record Options(boolean terminal, boolean quiet, boolean stamps, int width) {
    }

    private final Build build;
    private final PrintStream out;
    private final Options options;
    private final Clock clock;

    public Follower(Build build, PrintStream out, Options options) {
        this(build, out, options, Clock.systemUTC());
    }

    public Follower(Build build, PrintStream out, Options options, Clock clock) {
        this.build = build;
        this.out = out;
        this.options = options;
        this.clock = clock;
    }

    /**
     * Follows the build to its end.
     *
     * @return the build's result
     * @throws InterruptedException if the thread is interrupted (Ctrl-C in the console); the
     *                              build goes on, the progress line is erased
     * @throws CommandFailure       if the log cannot be read
     */
    public BuildResult follow() throws InterruptedException {
        Progress progress = new Progress(build);
        build.addListener(progress);
        CompletableFuture<BuildResult> result = build.result().toCompletableFuture();
        String shown = null;
        try (LogTail tail = new LogTail(build)) {
            while (true) {
                boolean done = result.isDone();
                List<String> lines = done ? tail.rest() : tail.poll();
                lines.forEach(progress::logLine);
                if (!lines.isEmpty() && !options.quiet()) {
                    if (shown != null) {
                        out.print("\r" + ERASE);
                        shown = null;
                    }
                    for (String l : lines) {
                        out.println(options.stamps() ? l : LogTail.unstamped(l));
                    }
                }
                if (done) {
                    break;
                }
                if (options.terminal()) {
                    String p = progress.line(clock.instant(), options.width());
                    if (!p.equals(shown)) {
                        out.print("\r" + p + ERASE);
                        shown = p;
                    }
                }
                out.flush();
                try {
                    result.get(TICK_MS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    // next tick
                }
            }
            return result.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new CommandFailure(1, "build " + build.id() + ": " + e.getCause(), e.getCause());
        } catch (IOException e) {
            throw new CommandFailure(1, "cannot read the log of build " + build.id() + " (" + build.log() + "): "
                    + e.getMessage(), e);
        } finally {
            if (shown != null) {
                out.print("\r" + ERASE);
            }
            out.flush();
            build.removeListener(progress);
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dib.core.build.Build;
import dib.core.build.BuildEvent;
import dib.core.build.BuildListener;
import dib.core.build.BuildState;

/**
 * The live progress line of one build, fed by its events:
 * {@code [3] install | 50-example-motd (example-motd) | 0:07 | download busybox 1.2/2.3 MB 52%}:
 * the build id, the phase, the hook running now and its element, the time since the start,
 * and download progress while a download runs. Listener methods only store values, so the
 * build's thread is never held up; {@link #line} is called from the command's thread.
 */
public final class Progress implements BuildListener {
    /** A download is shown this long after its last progress event. */
    static final Duration DOWNLOAD_SHOWN = Duration.ofSeconds(2);

    private final Build build;
    private volatile String phase;
    private volatile String hook;
    private volatile String element;
    private volatile Download download;
    /** Set by the first hook event: from then on events alone say which hook runs. */
    private volatile boolean hookEvents;

    private record Download(String url, long bytes, long total, Instant time) {
    }

    public Progress(Build build) {
        this.build = build;
    }

    @Override
    public void onEvent(BuildEvent e) {
        switch (e.type()) {
            case PHASE_STARTED -> {
                phase = e.phase();
                hook = null;
                element = null;
            }
            case PHASE_FINISHED -> {
                hook = null;
                element = null;
            }
            case HOOK_STARTED -> {
                hookEvents = true;
                element = e.element();
                hook = e.hook();
            }
            case HOOK_FINISHED -> {
                hookEvents = true;
                hook = null;
                element = null;
            }
            case DOWNLOAD -> download = new Download(e.message(), e.bytes(), e.total(), e.time());
            default -> {
                // LOG lines come from the log file; STATE and OUTPUT are read from the build
            }
        }
    }

    /**
     * Learns the running hook from a log line, for a follower that started in the middle of
     * a build (events are not replayed): dib-run-parts logs {@code Running PHASE.d/HOOK
     * (element ELEMENT)} and {@code HOOK completed}. Ignored once hook events arrived.
     *
     * @param line a log line, with or without its timestamp
     */
    public void logLine(String line) {
        if (hookEvents) {
            return;
        }
        Matcher m = RUNNING.matcher(line);
        if (m.find()) {
            hook = m.group(1);
            element = m.group(2);
        } else if (hook != null && line.matches(".*dib-run-parts " + Pattern.quote(hook) + " completed.*")) {
            hook = null;
            element = null;
        }
    }

    private static final Pattern RUNNING = Pattern.compile("dib-run-parts Running [^ /]+/(\\S+) \\(element ([^)]+)\\)");

    /**
     * @param now   the current time
     * @param width the terminal width; the line is cut to one column less so it never wraps
     * @return the progress line, without line ending
     */
    public String line(Instant now, int width) {
        StringBuilder b = new StringBuilder();
        b.append('[').append(build.id()).append("] ");
        BuildState s = build.state();
        String p = build.phase() != null ? build.phase() : phase;
        if (s.done()) {
            b.append(s.name().toLowerCase(Locale.ROOT));
        } else if (s == BuildState.QUEUED) {
            b.append("queued");
        } else {
            b.append(p == null ? "preparing" : p);
        }
        String h = hook;
        if (h != null && !s.done()) {
            b.append(" | ").append(h);
            String el = element;
            if (el != null) {
                b.append(" (").append(el).append(')');
            }
        }
        b.append(" | ").append(elapsed(build.elapsed()));
        Download d = download;
        if (d != null && !s.done() && Duration.between(d.time(), now).compareTo(DOWNLOAD_SHOWN) < 0) {
            b.append(" | download ").append(fileName(d.url())).append(' ').append(amount(d.bytes(), d.total()));
        }
        int max = Math.max(10, width - 1);
        return b.length() > max ? b.substring(0, max - 3) + "..." : b.toString();
    }

    /** @return {@code M:SS}, or {@code H:MM:SS} from one hour on */
    public static String elapsed(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }

    /** @return {@code 1.2/2.3 MB 52%}, or {@code 1.2 MB} when the total is unknown */
    public static String amount(long bytes, long total) {
        if (total <= 0) {
            return mb(bytes) + " MB";
        }
        return mb(bytes) + "/" + mb(total) + " MB " + Math.min(100, bytes * 100 / total) + "%";
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1_000_000.0);
    }

    private static String fileName(String url) {
        if (url == null) {
            return "?";
        }
        String u = url.replaceAll("[?#].*$", "").replaceAll("/+$", "");
        return u.substring(u.lastIndexOf('/') + 1);
    }
}

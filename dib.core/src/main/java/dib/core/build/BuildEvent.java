// SPDX-License-Identifier: Apache-2.0
package dib.core.build;

import java.time.Duration;
import java.time.Instant;

/**
 * Something that happened in a build, for progress displays and logs. Which fields are set
 * depends on the {@link #type()}; the others are null (or 0 for byte counts).
 *
 * @param time      when
 * @param buildId   the build
 * @param type      what happened
 * @param phase     the phase ({@code root}, {@code install}, ...) for phase and hook events
 * @param element   the element a hook belongs to, for hook events
 * @param hook      the hook's file name, for hook events
 * @param duration  for {@code *_FINISHED} events
 * @param exitCode  for {@code HOOK_FINISHED}
 * @param bytes     bytes done, for {@code DOWNLOAD}
 * @param total     bytes expected, for {@code DOWNLOAD}; -1 when unknown
 * @param message   log line, state name, URL or output path, depending on the type
 * @since 1.0
 */
public record BuildEvent(Instant time, String buildId, Type type, String phase, String element, String hook,
        Duration duration, Integer exitCode, long bytes, long total, String message) {

    /** The kinds of events. */
    public enum Type {
        /** The build changed state; {@code message} is the new {@link BuildState}. */
        STATE,
        /** A phase started. */
        PHASE_STARTED,
        /** A phase finished (successfully or not, see {@code exitCode}). */
        PHASE_FINISHED,
        /** A hook started. */
        HOOK_STARTED,
        /** A hook finished. */
        HOOK_FINISHED,
        /** Download progress: {@code message} is the URL. */
        DOWNLOAD,
        /** One line of the build log. */
        LOG,
        /** An output file was written; {@code message} is its path. */
        OUTPUT
    }

    public static BuildEvent state(String id, BuildState s) {
        return new BuildEvent(Instant.now(), id, Type.STATE, null, null, null, null, null, 0, 0, s.name());
    }

    public static BuildEvent phaseStarted(String id, String phase) {
        return new BuildEvent(Instant.now(), id, Type.PHASE_STARTED, phase, null, null, null, null, 0, 0, null);
    }

    public static BuildEvent phaseFinished(String id, String phase, Duration d, int exit) {
        return new BuildEvent(Instant.now(), id, Type.PHASE_FINISHED, phase, null, null, d, exit, 0, 0, null);
    }

    public static BuildEvent hookStarted(String id, String phase, String element, String hook) {
        return new BuildEvent(Instant.now(), id, Type.HOOK_STARTED, phase, element, hook, null, null, 0, 0, null);
    }

    public static BuildEvent hookFinished(String id, String phase, String element, String hook, Duration d,
            int exit) {
        return new BuildEvent(Instant.now(), id, Type.HOOK_FINISHED, phase, element, hook, d, exit, 0, 0, null);
    }

    public static BuildEvent download(String id, String url, long bytes, long total) {
        return new BuildEvent(Instant.now(), id, Type.DOWNLOAD, null, null, null, null, null, bytes, total, url);
    }

    public static BuildEvent log(String id, String line) {
        return new BuildEvent(Instant.now(), id, Type.LOG, null, null, null, null, null, 0, 0, line);
    }

    public static BuildEvent output(String id, String path) {
        return new BuildEvent(Instant.now(), id, Type.OUTPUT, null, null, null, null, null, 0, 0, path);
    }
}

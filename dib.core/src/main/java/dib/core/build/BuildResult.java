// SPDX-License-Identifier: Apache-2.0
package dib.core.build;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How a build ended.
 *
 * @param state        {@link BuildState#SUCCEEDED}, {@link BuildState#FAILED} or {@link BuildState#CANCELLED}
 * @param exitStatus   0 on success; the status {@code disk-image-create} exits with otherwise
 * @param message      null on success; else one line saying what failed and where
 * @param outputs      the files written (images, checksums, kernel/initramfs), in order
 * @param phaseTimings time spent in each phase, in execution order
 * @param hookTimings  every hook run: phase, element, hook, duration, exit code
 * @param log          the build log file
 * @param elapsed      wall time of the whole build
 * @since 1.0
 */
public record BuildResult(BuildState state, int exitStatus, String message, List<Path> outputs,
        Map<String, Duration> phaseTimings, List<HookTiming> hookTimings, Path log, Duration elapsed) {

    /**
     * One hook run.
     *
     * @param phase    the phase
     * @param element  the element the hook came from
     * @param hook     the hook's file name
     * @param duration how long it ran
     * @param exitCode its exit status
     */
    public record HookTiming(String phase, String element, String hook, Duration duration, int exitCode) {
    }

    /** @return true if the build succeeded */
    public boolean succeeded() {
        return state == BuildState.SUCCEEDED;
    }
}

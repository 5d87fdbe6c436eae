// SPDX-License-Identifier: Apache-2.0
package dib.core.build;

/**
 * The life of a build.
 *
 * @since 1.0
 */
public enum BuildState {
    /** Accepted, not started yet. */
    QUEUED,
    /** Running phases. */
    RUNNING,
    /** Finished, outputs written. */
    SUCCEEDED,
    /** Stopped by an error; nothing of it is left behind. */
    FAILED,
    /** Stopped by {@link Build#cancel()}, Ctrl-C or framework shutdown. */
    CANCELLED;

    /** @return true for the three final states */
    public boolean done() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}

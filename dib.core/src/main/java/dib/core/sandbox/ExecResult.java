// SPDX-License-Identifier: Apache-2.0
package dib.core.sandbox;

import java.util.List;

/**
 * How a command ended.
 *
 * @param exitStatus its exit status (128 + signal when killed by a signal)
 * @param stdout     its standard output when {@link Exec#capture()} was asked for, else empty
 * @param tail       the last lines of its output (at most 20), for error messages
 * @since 1.0
 */
public record ExecResult(int exitStatus, String stdout, List<String> tail) {
    /** @return true for exit status 0 */
    public boolean ok() {
        return exitStatus == 0;
    }
}

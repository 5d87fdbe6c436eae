// SPDX-License-Identifier: Apache-2.0
package dib.core.sandbox;

import java.util.List;

/**
 * A command run in a {@link Sandbox} failed to start or exited non-zero. The message names
 * the command and its exit status and quotes the last lines of its output.
 *
 * @since 1.0
 */
public class SandboxException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int exitStatus;
    private final List<String> tail;

    public SandboxException(String message, int exitStatus, List<String> tail) {
        super(message);
        this.exitStatus = exitStatus;
        this.tail = List.copyOf(tail);
    }

    /** @return the command's exit status, or -1 if it did not start */
    public int exitStatus() {
        return exitStatus;
    }

    /** @return the last lines of the command's output */
    public List<String> tail() {
        return tail;
    }
}

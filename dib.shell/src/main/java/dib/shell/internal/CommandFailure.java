// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

/**
 * A command failed in a way the user can act on: the message is one line, and the exit
 * status is what {@code bin/dib} returns (1 for failures, 2 for usage errors as getopt
 * tools do). Never printed with a stack trace.
 */
public class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public CommandFailure(int status, String message) {
        super(message);
        this.status = status;
    }

    public static CommandFailure usage(String message) {
        return new CommandFailure(2, message);
    }

    public int status() {
        return status;
    }

    /** The interactive shell prints failures with toString(): show the message alone. */
    @Override
    public String toString() {
        return getMessage();
    }
}

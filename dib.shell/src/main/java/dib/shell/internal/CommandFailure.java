// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

/**
 * A command failed in a way the user can act on: the message is one line, and the exit
 * status is what {@code bin/dib} returns (1 for failures, 2 for usage errors as getopt
 * tools do). Never printed with a stack trace ({@code DIB_JAVA_TRACE=1} prints the cause's).
 */
public class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public CommandFailure(int status, String message) {
        super(oneLine(message));
        this.status = status;
    }

    /** @param cause an unexpected exception behind the failure, kept for DIB_JAVA_TRACE */
    public CommandFailure(int status, String message, Throwable cause) {
        super(oneLine(message), cause);
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

    /** Folds a multi-line message into one line: the lines joined with "; ". */
    static String oneLine(String message) {
        if (message == null) {
            return "failed";
        }
        String m = message.strip();
        return m.contains("\n") ? String.join("; ", m.lines().map(String::strip).filter(l -> !l.isEmpty()).toList())
                : m;
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.build;

/**
 * A build could not start or failed. The message is one line for the user naming the
 * culprit (element, hook, option, file or URL); {@link #exitStatus()} is what
 * {@code disk-image-create} exits with.
 *
 * @since 1.0
 */
public class BuildException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int exitStatus;

    /** @param message one line for the user */
    public BuildException(String message) {
        this(message, 1, null);
    }

    /**
     * @param message one line for the user
     * @param cause   the underlying error, for the log
     */
    public BuildException(String message, Throwable cause) {
        this(message, 1, cause);
    }

    /**
     * @param message    one line for the user
     * @param exitStatus the process exit status to report
     * @param cause      the underlying error, may be null
     */
    public BuildException(String message, int exitStatus, Throwable cause) {
        super(message, cause);
        this.exitStatus = exitStatus;
    }

    /** @return the exit status to report (non-zero) */
    public int exitStatus() {
        return exitStatus;
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.archive;

import dib.core.build.BuildException;

/**
 * An archive could not be extracted: it is corrupt, unsupported, or one of its entries was
 * refused. The message is one line naming the archive and, when there is one, the entry.
 *
 * @since 1.0
 */
public class ArchiveException extends BuildException {
    private static final long serialVersionUID = 1L;
    private final String archive;
    private final String entry;

    /**
     * @param archive the archive (as the user named it)
     * @param entry   the entry at fault, or null
     * @param message one line for the user, naming the archive and the entry
     * @param cause   the underlying error, may be null
     */
    public ArchiveException(String archive, String entry, String message, Throwable cause) {
        super(message, 1, cause);
        this.archive = archive;
        this.entry = entry;
    }

    /** @return the archive */
    public String archive() {
        return archive;
    }

    /** @return the entry at fault, or null when the whole archive is */
    public String entry() {
        return entry;
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.element;

/**
 * An element could not be found, read or combined. The message is one line meant for the
 * user; it names the element(s) involved and where they were found.
 *
 * @since 1.0
 */
public class ElementException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the operation failed. */
    public enum Reason {
        /** A requested or required element exists nowhere. */
        MISSING,
        /** Two elements provide the same name, or a requested element is provided by another. */
        ALREADY_PROVIDED,
        /** Nothing in the expanded set provides {@code operating-system}. */
        MISSING_OS,
        /** An {@code ELEMENTS_PATH} entry is not a directory. */
        INVALID_PATH,
        /** A name is not a valid element name. */
        INVALID_NAME,
        /** An element file exists but cannot be read. */
        UNREADABLE,
        /** Element sources disagree, for example two bundles carry the same element. */
        CONFLICT
    }

    private final Reason reason;

    /**
     * @param reason  why
     * @param message one line for the user
     */
    public ElementException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** @return why the operation failed */
    public Reason reason() {
        return reason;
    }
}

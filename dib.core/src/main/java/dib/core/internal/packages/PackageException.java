// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.packages;

/** A package declaration or map that cannot be used; the message names the file and entry. */
public final class PackageException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message one line naming the culprit */
    public PackageException(String message) {
        super(message);
    }
}

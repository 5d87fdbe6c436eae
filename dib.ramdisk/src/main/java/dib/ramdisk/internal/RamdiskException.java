// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.internal;

/** A ramdisk cannot be built; the message is one line that names the culprit. */
final class RamdiskException extends Exception {
    private static final long serialVersionUID = 1L;

    RamdiskException(String message) {
        super(message);
    }
}

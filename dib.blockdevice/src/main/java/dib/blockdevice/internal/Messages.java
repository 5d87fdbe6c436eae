// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.util.List;

import dib.core.sandbox.SandboxException;

/** Small helpers for one-line messages. */
final class Messages {
    private Messages() {
    }

    /** @return the exception's message, or its class name when it has none */
    static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.strip();
    }

    /** @return the last non-blank line of a command's output tail, or the exception's message */
    static String lastLine(SandboxException e) {
        List<String> tail = e.tail();
        for (int i = tail.size() - 1; i >= 0; i--) {
            if (!tail.get(i).isBlank()) {
                return tail.get(i).strip();
            }
        }
        return describe(e);
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.sandbox;

import java.io.IOException;
import java.util.function.Consumer;

import dib.core.internal.sandbox.NamespaceSandbox;

/**
 * Opens sandboxes outside a build, for tools such as {@code disk-image-get-kernel} and for
 * tests. Builds get theirs from {@link dib.core.build.BuildContext#sandbox()}.
 *
 * @since 1.0
 */
public final class Sandboxes {
    private Sandboxes() {
    }

    /**
     * Creates new private mount and PID namespaces. Requires root. Open it from a thread
     * that lives as long as the sandbox: the holder receives SIGKILL when that thread ends.
     *
     * @param log receives output lines of commands that are neither captured nor quiet
     * @return the sandbox; close it when done
     * @throws IOException if the namespaces cannot be created
     */
    public static ClosableSandbox open(Consumer<String> log) throws IOException {
        return NamespaceSandbox.open(log);
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds host tools on the PATH that sandboxed commands get. */
final class Tools {
    private static final String[] PATH = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin",
        "/bin" };

    private Tools() {
    }

    /** @return true if {@code name} is an executable on the sandbox PATH */
    static boolean exists(String name) {
        for (String d : PATH) {
            if (Files.isExecutable(Path.of(d, name))) {
                return true;
            }
        }
        return false;
    }
}

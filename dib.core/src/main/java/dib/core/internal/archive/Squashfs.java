// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import dib.core.archive.ArchiveException;
import dib.core.sandbox.Sandbox;

/** {@code unsquashfs -f -d TARGET IMAGE}, in the sandbox, after checking the magic. */
public final class Squashfs {
    private Squashfs() {
    }

    public static void extract(Sandbox sandbox, Path image, Path target, Consumer<String> log)
            throws ArchiveException, InterruptedException {
        Commands commands = new Commands(sandbox, log);
        String name = image.toString();
        byte[] magic = new byte[4];
        try (InputStream in = Files.newInputStream(commands.jvm(image))) {
            if (in.readNBytes(magic, 0, 4) != 4 || magic[0] != 'h' || magic[1] != 's' || magic[2] != 'q'
                    || magic[3] != 's') {
                throw new ArchiveException(name, null, name + " is not a squashfs image", null);
            }
        } catch (IOException e) {
            throw new ArchiveException(name, null, "cannot read " + name + ": " + e.getMessage(), e);
        }
        Commands.Result r;
        try {
            r = commands.run("unsquashfs", "-no-progress", "-f", "-d", target.toString(), name);
        } catch (IOException e) {
            throw new ArchiveException(name, null, "cannot run unsquashfs for " + name + ": " + e.getMessage(), e);
        }
        if (!r.ok()) {
            String tail = Commands.lastLines(r.output(), 3);
            log.accept("unsquashfs " + name + ": " + tail);
            throw new ArchiveException(name, null, "unsquashfs of " + name + " into " + target
                    + " failed with exit status " + r.status() + (tail.isBlank() ? "" : ": " + tail), null);
        }
    }
}

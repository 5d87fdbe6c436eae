// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The directories of one element test inside its {@code @TempDir}: {@code tmp} (the
 * builds' TMP_DIR, checked with {@link Leftovers}), {@code out} (where images are written)
 * and {@code cache} (DIB_IMAGE_CACHE, created by the first build).
 */
public record TestWorkspace(Path tmp, Path out, Path cache) {
    /** Creates {@code tmp} and {@code out} below {@code work}. */
    public static TestWorkspace in(Path work) throws IOException {
        return new TestWorkspace(Files.createDirectories(work.resolve("tmp")),
                Files.createDirectories(work.resolve("out")), work.resolve("cache"));
    }

    /** @return a command runner writing into {@code out} with these TMP_DIR and cache */
    public Dib dib() {
        return new Dib(out).env("TMP_DIR", tmp.toString()).env("DIB_IMAGE_CACHE", cache.toString());
    }

    /** @return the {@code -o img -t tar} output */
    public ImageTar image() throws IOException, InterruptedException {
        return new ImageTar(out.resolve("img.tar"));
    }
}

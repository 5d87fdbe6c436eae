// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dib-run-parts element: the build's own runner is installed as
 * /usr/local/bin/dib-run-parts and works in the (busybox) image.
 */
@Tag("root")
class DibRunPartsElementTest {
    private static final Path RUNNER = Dib.TOP
            .resolve("dib.core/src/main/resources/dib/core/internal/build/dib-run-parts");

    @TempDir
    Path work;

    private Dib.Result build(Path out, String... elements) throws Exception {
        String[] args = new String[elements.length + 5];
        System.arraycopy(new String[] { "-o", "img", "-t", "tar", "fixture-busybox" }, 0, args, 0, 5);
        System.arraycopy(elements, 0, args, 5, elements.length);
        return new Dib(Files.createDirectories(out)).env("TMP_DIR", work.resolve("tmp").toString())
                .env("DIB_IMAGE_CACHE", work.resolve("cache").toString()).run("disk-image-create", args);
    }

    @Test
    void theRunnerIsInstalledAndRunsHooksInTheImage() throws Exception {
        Files.createDirectories(work.resolve("tmp"));
        Dib.Result r = build(work.resolve("with"), "dib-run-parts", "utility-probe");
        assertEquals(0, r.exit(), r.all());
        ImageTar img = new ImageTar(work.resolve("with/img.tar"));
        assertEquals("-rwxr-xr-x", img.entry("./usr/local/bin/dib-run-parts").mode());
        assertEquals("0/0", img.entry("./usr/local/bin/dib-run-parts").owner());
        assertEquals(Files.readString(RUNNER), img.read("./usr/local/bin/dib-run-parts"), "the build's own runner");
        assertFalse(img.has("./usr/local/bin/.dib-run-parts.new"));
        // in the chroot, with busybox: environment.d sourced, order kept, bad names and
        // non-executables skipped
        assertEquals("first env-ok\nsecond env-ok\n", img.read("./utility-probe/run-parts.out"));
        assertEquals(List.of(), Leftovers.under(work.resolve("tmp")));

        r = build(work.resolve("without"), "utility-probe");
        assertEquals(0, r.exit(), r.all());
        img = new ImageTar(work.resolve("without/img.tar"));
        assertFalse(img.has("./usr/local/bin/dib-run-parts"), "only with the element");
        assertFalse(img.has("./utility-probe/run-parts.out"));
    }
}

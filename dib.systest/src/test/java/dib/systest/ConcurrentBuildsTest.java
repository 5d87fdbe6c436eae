// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two builds at once in one framework, sharing the download cache, both correct. */
@Tag("root")
class ConcurrentBuildsTest {
    @TempDir
    Path work;

    @Test
    void twoBuildsInOneFramework() throws Exception {
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Path out = Files.createDirectories(work.resolve("out"));
        Dib.Result r = new Dib(out).env("TMP_DIR", tmp.toString()).env("DIB_IMAGE_CACHE", work + "/cache")
                .env("DIB_PROBE_SLEEP", "install:2").env("DIB_QUIET", "1")
                .run("dib", "dib:create --background -o one -t tar fixture-busybox phase-probe;"
                        + " dib:create --background -o two -t tar fixture-busybox phase-probe;"
                        + " dib:builds; dib:log -f 1; dib:log -f 2; dib:builds");
        assertEquals(0, r.exit(), r.all());
        String table = r.stdout();
        assertTrue(table.lines().filter(l -> l.matches("^[12] +RUNNING.*")).count() == 2,
                "both ran at the same time: " + table);
        assertTrue(table.lines().filter(l -> l.matches("^[12] +SUCCEEDED.*")).count() == 2, table);
        for (String n : List.of("one", "two")) {
            assertTrue(Files.size(out.resolve(n + ".tar")) > 100_000, n);
        }
        assertEquals(List.of(), Leftovers.under(tmp));
    }
}

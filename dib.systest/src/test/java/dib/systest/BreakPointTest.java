// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code break=...}: without a terminal the build stops with a message saying where; with a
 * terminal (a pty from util-linux's script) a shell opens in the chroot for in-target phases,
 * and the build resumes when it exits.
 */
@Tag("root")
class BreakPointTest {
    @TempDir
    Path work;

    @Test
    void withoutTerminalTheBuildStopsAndSaysWhere() throws Exception {
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Dib.Result r = new Dib(Files.createDirectories(work.resolve("out"))).env("TMP_DIR", tmp.toString())
                .env("break", "before-install").run("disk-image-create", "-o", "brk", "-t", "tar", "fixture-busybox");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.stderr().contains("stopped at break point 'before-install'"), r.all());
        assertEquals(List.of(), Leftovers.under(tmp));
    }

    @Test
    void withTerminalAShellOpensInTheChroot() throws Exception {
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Path out = Files.createDirectories(work.resolve("out"));
        // script(1) gives the build a pty; the shell's commands come through it
        String cmd = "DIB_NO_BUILD=1 ELEMENTS_PATH=" + Dib.TEST_ELEMENTS + " TMP_DIR=" + tmp + " break=after-install "
                + Dib.TOP.resolve("bin/disk-image-create") + " -o brk -t tar fixture-busybox";
        Process p = new ProcessBuilder("script", "-qefc", cmd, "/dev/null").directory(out.toFile())
                .redirectErrorStream(true).start();
        Thread.sleep(100);
        var in = p.getOutputStream();
        StringBuilder seen = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                byte[] b = new byte[4096];
                int n;
                while ((n = p.getInputStream().read(b)) > 0) {
                    synchronized (seen) {
                        seen.append(new String(b, 0, n, StandardCharsets.UTF_8));
                    }
                }
            } catch (Exception ignored) {
                // process ended
            }
        });
        reader.start();
        long deadline = System.currentTimeMillis() + 180_000;
        while (!seen.toString().contains("At stage after-install") && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        Thread.sleep(1000);
        in.write("echo inside=$(cat /etc/hostname)-$(test -d /tmp/in_target.d && echo hooks)\nexit\n"
                .getBytes(StandardCharsets.UTF_8));
        in.flush();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), seen.toString());
        reader.join(5000);
        String s = seen.toString();
        assertEquals(0, p.exitValue(), s);
        assertTrue(s.contains("inside=fixture-hooks"), "the shell ran in the chroot with the hooks: " + s);
        assertTrue(s.contains("Resuming") && s.contains("Build completed successfully"), s);
        assertTrue(Files.exists(out.resolve("brk.tar")));
        assertEquals(List.of(), Leftovers.under(tmp));
    }
}

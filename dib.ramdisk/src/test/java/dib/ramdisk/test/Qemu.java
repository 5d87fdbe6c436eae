// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A qemu-system-x86_64 (TCG) booting a kernel + initramfs, its serial console on the
 * process's standard input and output. Dies with the test JVM's thread (parent-death
 * signal) and on {@link #close()}.
 */
final class Qemu implements AutoCloseable {
    private final Process process;
    private final StringBuffer console = new StringBuffer();
    private final OutputStream in;

    /**
     * @param kernel  NAME.kernel
     * @param initrd  NAME.initramfs
     * @param cmdline kernel command line (console=ttyS0 is added)
     * @param extra   more qemu arguments (disks, network)
     */
    Qemu(Path kernel, Path initrd, String cmdline, List<String> extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "qemu-system-x86_64",
                "-accel", "tcg", "-m", "1024", "-smp", "1", "-kernel", kernel.toString(), "-initrd",
                initrd.toString(), "-append", "console=ttyS0 panic=-1 " + cmdline, "-display", "none", "-monitor",
                "none", "-serial", "stdio", "-no-reboot"));
        cmd.addAll(extra);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true);
        process = pb.start();
        in = process.getOutputStream();
        Thread t = new Thread(() -> {
            try (InputStream o = process.getInputStream()) {
                byte[] b = new byte[4096];
                int n;
                while ((n = o.read(b)) > 0) {
                    console.append(new String(b, 0, n, StandardCharsets.ISO_8859_1));
                }
            } catch (IOException e) {
                // qemu is gone
            }
        }, "qemu-console");
        t.setDaemon(true);
        t.start();
    }

    /** @return everything the console printed so far */
    String console() {
        return console.toString();
    }

    /**
     * Waits until the console output after {@code from} matches.
     *
     * @return the match
     * @throws AssertionError with the console's last lines on timeout or when qemu exits
     */
    Matcher await(String regex, int from, Duration timeout) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String c = console.toString();
            Matcher m = p.matcher(c);
            if (m.find(Math.min(from, c.length()))) {
                return m;
            }
            if (!process.isAlive()) {
                Thread.sleep(200);
                c = console.toString();
                m = p.matcher(c);
                if (m.find(Math.min(from, c.length()))) {
                    return m;
                }
                throw new AssertionError("qemu exited (" + process.exitValue() + ") before /" + regex
                        + "/ appeared on the console:\n" + tail(c));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no /" + regex + "/ on the console within " + timeout.toSeconds() + " s:\n"
                + tail(console.toString()));
    }

    Matcher await(String regex, Duration timeout) throws InterruptedException {
        return await(regex, 0, timeout);
    }

    /** Types text on the serial console. */
    void send(String text) throws IOException {
        in.write(text.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** @return qemu's exit status, waiting at most {@code timeout}; -1 if it still runs */
    int waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    static String tail(String c) {
        String[] lines = c.replace("\r", "").split("\n");
        StringBuilder b = new StringBuilder();
        for (int i = Math.max(0, lines.length - 40); i < lines.length; i++) {
            b.append("    | ").append(lines[i]).append('\n');
        }
        return b.toString();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.archive;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import dib.core.sandbox.Exec;
import dib.core.sandbox.ExecResult;
import dib.core.sandbox.Sandbox;

/**
 * Runs helper commands ({@code mknod}, {@code setfattr}, {@code mount}, ...) in a build's
 * sandbox, or on the host when there is none, and maps namespace paths to paths the JVM can
 * use.
 */
final class Commands {
    /** A command's outcome. */
    record Result(int status, String stdout, String output) {
        boolean ok() {
            return status == 0;
        }
    }

    private final Sandbox sandbox;
    private final Consumer<String> log;

    Commands(Sandbox sandbox, Consumer<String> log) {
        this.sandbox = sandbox;
        this.log = log;
    }

    /** @return the JVM's path for a path as the commands see it */
    Path jvm(Path path) {
        return sandbox == null ? path : sandbox.host(path.toAbsolutePath());
    }

    Consumer<String> log() {
        return log;
    }

    /**
     * Runs a command and returns its standard output; standard error is kept for messages.
     *
     * @throws IOException naming the command, its exit status and the end of its output
     */
    String check(String... argv) throws IOException, InterruptedException {
        Result r = run(argv);
        if (!r.ok()) {
            throw new IOException(argv[0] + " failed with exit status " + r.status()
                    + (r.output().isBlank() ? "" : ": " + lastLines(r.output(), 3)));
        }
        return r.stdout();
    }

    /** Runs a command; its exit status is the caller's business. */
    Result run(String... argv) throws IOException, InterruptedException {
        if (sandbox != null) {
            ExecResult r = sandbox.run(Exec.of(argv).capture().quiet());
            return new Result(r.exitStatus(), r.stdout(), String.join("\n", r.tail()));
        }
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = collect(p.getErrorStream(), err);
        String out;
        try (InputStream o = p.getInputStream()) {
            out = new String(o.readAllBytes(), StandardCharsets.UTF_8);
        }
        int status;
        try {
            status = p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            throw e;
        }
        t.join(5000);
        return new Result(status, out, err.toString(StandardCharsets.UTF_8) + out);
    }

    /**
     * Runs a shell loop over many argument groups, in chunks that stay well below the
     * kernel's argument limit.
     *
     * @param script a {@code sh -c} script that consumes {@code "$@"} {@code group} words at a time
     * @param group  words per item
     * @param words  all items' words
     */
    void batch(String label, String script, int group, List<String> words) throws IOException, InterruptedException {
        int i = 0;
        while (i < words.size()) {
            List<String> argv = new ArrayList<>(Arrays.asList("sh", "-c", script, label));
            int bytes = 0;
            while (i < words.size() && bytes < 64 * 1024) {
                for (int k = 0; k < group; k++) {
                    String w = words.get(i + k);
                    argv.add(w);
                    bytes += w.length() + 1;
                }
                i += group;
            }
            Result r = run(argv.toArray(new String[0]));
            if (!r.ok()) {
                throw new IOException(label + " failed with exit status " + r.status()
                        + (r.output().isBlank() ? "" : ": " + lastLines(r.output(), 3)));
            }
        }
    }

    /** Copies a process's stream into {@code sink} on a daemon thread. */
    static Thread collect(InputStream stream, ByteArrayOutputStream sink) {
        Thread t = new Thread(() -> {
            try (InputStream e = stream) {
                e.transferTo(sink);
            } catch (IOException ex) {
                // the process is gone
            }
        }, "dib-archive-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    static String lastLines(String s, int n) {
        String[] lines = s.strip().split("\n");
        return String.join(" | ", Arrays.asList(lines).subList(Math.max(0, lines.length - n), lines.length));
    }
}

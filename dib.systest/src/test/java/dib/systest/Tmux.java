// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * dib's interactive shell in a real terminal: a tmux server of its own (so tests never
 * touch a user's tmux), one pane running {@code bin/dib}, keys typed into it, the screen
 * read back with {@code capture-pane} and every byte the pane received kept in a file
 * ({@code pipe-pane}), which shows what a terminal user saw, progress line redraws included.
 * {@link #close()} leaves no tmux server and no JVM behind.
 */
public final class Tmux implements AutoCloseable {
    /** The prompt set by dib.shell's gosh_profile. */
    public static final String PROMPT = "dib> ";

    private final String socket = "dib-systest-" + UUID.randomUUID();
    private final Path raw;
    private long panePid = -1;

    private Tmux(Path work) {
        this.raw = work.resolve("pane.raw");
    }

    /**
     * Starts {@code bin/dib} without arguments in a 200x50 terminal and waits for its prompt.
     *
     * @param work a directory for the launcher script and the pane's byte stream
     * @param cwd  the shell's working directory
     * @param env  environment variables for dib (added to this process's)
     */
    public static Tmux start(Path work, Path cwd, Map<String, String> env) throws IOException, InterruptedException {
        Tmux t = new Tmux(work);
        StringBuilder script = new StringBuilder("#!/bin/sh\ncd ").append(quote(cwd.toString())).append('\n');
        env.forEach((k, v) -> script.append("export ").append(k).append('=').append(quote(v)).append('\n'));
        script.append("exec ").append(quote(Dib.TOP.resolve("bin/dib").toString())).append('\n');
        Path launcher = work.resolve("dib-in-tmux.sh");
        Files.writeString(launcher, script);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            // the history limit applies to panes created after it is set
            t.tmux("-f", "/dev/null", "start-server", ";", "set-option", "-g", "history-limit", "100000", ";",
                    "new-session", "-d", "-s", "dib", "-x", "200", "-y", "50", launcher.toString());
            t.tmux("pipe-pane", "-t", "dib", "-o", "cat >> " + quote(t.raw.toString()));
            t.panePid = Long.parseLong(t.tmux("display-message", "-p", "-t", "dib", "#{pane_pid}").strip());
            t.awaitPrompt(Duration.ofSeconds(90));
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            t.close();
            throw e;
        }
        return t;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("tmux " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    /** @return the whole pane history and screen, wrapped lines joined, trailing blanks removed */
    public String screen() throws IOException, InterruptedException {
        String s = tmux("capture-pane", "-p", "-J", "-S", "-", "-E", "-", "-t", "dib");
        StringBuilder b = new StringBuilder();
        for (String l : s.split("\n", -1)) {
            b.append(l.stripTrailing()).append('\n');
        }
        return b.toString().stripTrailing() + "\n";
    }

    /** @return every byte the terminal received so far, as text (escape sequences included) */
    public String raw() throws IOException {
        return Files.exists(raw) ? new String(Files.readAllBytes(raw), StandardCharsets.UTF_8) : "";
    }

    /** Types characters (no Enter). */
    public void keys(String text) throws IOException, InterruptedException {
        tmux("send-keys", "-t", "dib", "-l", text);
    }

    /** Presses a key by tmux name, such as {@code C-c} or {@code Enter}. */
    public void press(String key) throws IOException, InterruptedException {
        tmux("send-keys", "-t", "dib", key);
    }

    /** Presses Ctrl-C and waits for the fresh prompt the console draws after it. */
    public void interrupt(Duration timeout) throws IOException, InterruptedException {
        long n = prompts(screen());
        press("C-c");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String s = screen();
            List<String> lines = s.lines().toList();
            if (prompts(s) > n && lines.get(lines.size() - 1).equals(PROMPT.strip())) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no new prompt after Ctrl-C; screen:\n" + screen());
    }

    private long prompts(String screen) {
        return screen.lines().filter(l -> l.startsWith(PROMPT.strip())).count();
    }

    /** Waits until the last screen line is an empty prompt. */
    public void awaitPrompt(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String s = screen();
            List<String> lines = s.lines().toList();
            if (!lines.isEmpty() && lines.get(lines.size() - 1).equals(PROMPT.strip())) {
                return;
            }
            if (!alive()) {
                throw new AssertionError("bin/dib ended; screen:\n" + s);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no prompt within " + timeout + "; screen:\n" + screen());
    }

    /**
     * Types a command line, presses Enter and waits for the next prompt.
     *
     * @return what the command printed (the lines between its command line and the next prompt)
     */
    public String command(String line, Duration timeout) throws IOException, InterruptedException {
        String before = screen();
        long n = prompts(before);
        keys(line);
        press("Enter");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String s = screen();
            List<String> lines = s.lines().toList();
            if (prompts(s) > n && lines.get(lines.size() - 1).equals(PROMPT.strip())) {
                // the command's line is the n-th prompt line
                int start = -1;
                int seen = 0;
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).startsWith(PROMPT.strip()) && ++seen == n) {
                        start = i;
                        break;
                    }
                }
                return String.join("\n", lines.subList(start + 1, lines.size() - 1)) + (lines.size() - 1 > start + 1
                        ? "\n" : "");
            }
            if (!alive()) {
                throw new AssertionError("bin/dib ended during '" + line + "'; screen:\n" + s);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("'" + line + "' did not finish within " + timeout + "; screen:\n" + screen());
    }

    /** @return the command's output; fails unless it is one line */
    public String oneLine(String line) throws IOException, InterruptedException {
        String out = command(line, Duration.ofMinutes(2));
        if (out.strip().lines().count() != 1) {
            throw new AssertionError("'" + line + "' printed " + out.strip().lines().count() + " lines, not one:\n"
                    + out);
        }
        return out.strip();
    }

    /** @return true while the process in the pane (the dib JVM) runs */
    public boolean alive() {
        return panePid > 0 && ProcessHandle.of(panePid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Leaves the shell with {@code exit 0} and waits for the JVM to end. */
    public void exit(Duration timeout) throws IOException, InterruptedException {
        keys("exit 0");
        press("Enter");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (alive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        if (alive()) {
            throw new AssertionError("bin/dib did not end within " + timeout + " after 'exit 0'");
        }
    }

    @Override
    public void close() {
        try {
            tmux("kill-server");
        } catch (IOException | InterruptedException e) {
            // already gone
        }
        ProcessHandle.of(panePid).ifPresent(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join();
        });
    }

    /** Waits until {@code condition} holds, polling. */
    public static void await(Duration timeout, String what, Check condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(250);
        }
    }

    /** A condition for {@link #await}. */
    @FunctionalInterface
    public interface Check {
        boolean ok() throws Exception;
    }
}

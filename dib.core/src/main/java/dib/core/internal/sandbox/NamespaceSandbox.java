// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.sandbox;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dib.core.sandbox.ClosableSandbox;
import dib.core.sandbox.Exec;
import dib.core.sandbox.ExecResult;
import dib.core.sandbox.SandboxException;

/**
 * A build's private mount and PID namespaces.
 *
 * <p>The holder is started as
 * {@code setpriv --pdeathsig KILL setsid unshare --mount --pid --fork --kill-child --propagation private sleep infinity}:
 * {@code unshare} dies with the JVM thread that started it (parent-death signal), takes its
 * child (PID 1 of the new PID namespace) with it, and the kernel then kills every process of
 * the namespace and drops the mount namespace with all its mounts; loop devices attached by
 * {@code mount -o loop} clear themselves when their mount goes. Commands run through
 * {@code nsenter -t HOLDER -m -p}. The JVM reaches namespace paths through
 * {@code /proc/HOLDER/root}.
 *
 * <p>Open it from a thread that lives as long as the sandbox: the parent-death signal
 * fires when the <em>thread</em> that started the holder ends.
 */
public final class NamespaceSandbox implements ClosableSandbox {
    private static final int TAIL = 20;
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Process unshare;
    private final long holder;
    private final Path root;
    private final Consumer<String> log;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private NamespaceSandbox(Process unshare, long holder, Consumer<String> log) {
        this.unshare = unshare;
        this.holder = holder;
        this.root = Path.of("/proc", Long.toString(holder), "root");
        this.log = log;
    }

    /**
     * Starts the namespace holder.
     *
     * @param log receives the output lines of commands that are not captured or quiet
     * @return the sandbox
     * @throws IOException if the holder cannot start (not root, no unshare/setpriv)
     */
    public static NamespaceSandbox open(Consumer<String> log) throws IOException {
        // setsid: a session of its own, so a Ctrl-C on the terminal reaches the JVM (which
        // cancels its builds properly) but not the build's processes directly. setsid does not
        // fork here (a spawned child is no process-group leader), so the parent-death signal
        // set by setpriv stays on unshare.
        ProcessBuilder pb = new ProcessBuilder("setpriv", "--pdeathsig", "KILL", "setsid", "unshare", "--mount", "--pid",
                "--fork", "--kill-child", "--propagation", "private", "sleep", "infinity");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Long child = null;
        while (child == null) {
            child = childOf(p.pid());
            if (child != null) {
                break;
            }
            if (!p.isAlive()) {
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                throw new IOException("cannot create the build namespaces (unshare exited " + p.exitValue() + ")"
                        + (out.isEmpty() ? "" : ": " + out) + "; dib must run as root");
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IOException("cannot create the build namespaces: unshare did not start its holder");
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while creating the build namespaces");
            }
        }
        // the child exists; wait until it runs 'sleep' in the new namespaces
        while (System.nanoTime() < deadline) {
            try {
                String comm = Files.readString(Path.of("/proc", child.toString(), "comm")).strip();
                if (comm.equals("sleep")) {
                    break;
                }
                Thread.sleep(2);
            } catch (IOException | InterruptedException e) {
                break;
            }
        }
        return new NamespaceSandbox(p, child, log);
    }

    private static Long childOf(long pid) {
        try {
            Path tasks = Path.of("/proc", Long.toString(pid), "task");
            try (var s = Files.list(tasks)) {
                for (Path t : (Iterable<Path>) s::iterator) {
                    String c = Files.readString(t.resolve("children")).strip();
                    if (!c.isEmpty()) {
                        return Long.parseLong(c.split("\\s+")[0]);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    @Override
    public Path host(Path path) {
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("not an absolute path: " + path);
        }
        return root.resolve(path.toString().substring(1));
    }

    @Override
    public long holderPid() {
        return holder;
    }

    @Override
    public ExecResult check(Exec exec) throws SandboxException, InterruptedException {
        ExecResult r;
        try {
            r = run(exec);
        } catch (IOException e) {
            throw new SandboxException(exec.label() + ": cannot run: " + e.getMessage(), -1, List.of());
        }
        if (!r.ok()) {
            throw new SandboxException(exec.label() + " failed with exit status " + r.exitStatus()
                    + (r.tail().isEmpty() ? "" : ": " + String.join(" | ", lastLines(r.tail(), 5))), r.exitStatus(),
                    r.tail());
        }
        return r;
    }

    private static List<String> lastLines(List<String> l, int n) {
        return l.subList(Math.max(0, l.size() - n), l.size());
    }

    @Override
    public ExecResult run(Exec exec) throws IOException, InterruptedException {
        if (closed) {
            throw new IOException("the build's namespaces are gone");
        }
        List<String> cmd = new ArrayList<>();
        if (!exec.isInteractive()) {
            // away from the terminal's process group: only break-point shells read the terminal
            cmd.add("setsid");
        }
        cmd.addAll(List.of("nsenter", "-t", Long.toString(holder), "-m", "-p", "--"));
        if (exec.chroot() != null) {
            if (exec.cwd() != null) {
                cmd.addAll(List.of("chroot", exec.chroot().toString(), "/bin/sh", "-c", "cd \"$0\" && exec \"$@\"",
                        exec.cwd().toString()));
            } else {
                cmd.addAll(List.of("chroot", exec.chroot().toString()));
            }
        } else if (exec.cwd() != null) {
            cmd.addAll(List.of("env", "-C", exec.cwd().toString()));
        }
        cmd.addAll(exec.argv());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.clear();
        if (exec.inheritDefaults()) {
            env.put("PATH", DEFAULT_PATH);
            env.put("LC_ALL", "C");
            env.put("HOME", "/root");
        }
        env.putAll(exec.env());
        if (exec.isInteractive()) {
            pb.inheritIO();
        } else {
            pb.redirectInput(exec.input() == null ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
                    : ProcessBuilder.Redirect.PIPE);
            pb.redirectErrorStream(!exec.captured() && exec.stderrLines() == null);
        }
        Process p = pb.start();
        running.add(p);
        try {
            if (exec.isInteractive()) {
                return new ExecResult(waitFor(p, exec), "", List.of());
            }
            if (exec.input() != null) {
                Thread feeder = new Thread(() -> {
                    try (OutputStream o = p.getOutputStream()) {
                        o.write(exec.input());
                    } catch (IOException ignored) {
                        // the command stopped reading
                    }
                }, "dib-exec-input");
                feeder.setDaemon(true);
                feeder.start();
            }
            Deque<String> tail = new ArrayDeque<>();
            Consumer<String> sink = exec.isQuiet() ? l -> { } : log;
            Consumer<String> lines = tee(tail, exec.stdoutLines() != null ? exec.stdoutLines() : sink);
            Consumer<String> errLines = exec.stderrLines() != null ? tee(tail, exec.stderrLines()) : lines;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            Thread errPump = null;
            if (exec.captured() || exec.stderrLines() != null) {
                errPump = pump(p.getErrorStream(), errLines);
            }
            if (exec.captured()) {
                try (InputStream in = p.getInputStream()) {
                    in.transferTo(captured);
                }
            } else {
                pumpLines(p.getInputStream(), lines);
            }
            int rc = waitFor(p, exec);
            if (errPump != null) {
                errPump.join(TimeUnit.SECONDS.toMillis(5));
            }
            List<String> t;
            synchronized (tail) {
                t = List.copyOf(tail);
            }
            return new ExecResult(rc, captured.toString(StandardCharsets.UTF_8), t);
        } finally {
            running.remove(p);
        }
    }

    private static Consumer<String> tee(Deque<String> tail, Consumer<String> next) {
        return line -> {
            synchronized (tail) {
                tail.add(line);
                if (tail.size() > TAIL) {
                    tail.removeFirst();
                }
            }
            next.accept(line);
        };
    }

    private int waitFor(Process p, Exec exec) throws InterruptedException {
        try {
            if (exec.timeout() != null) {
                if (!p.waitFor(exec.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    killTree(p.pid());
                    p.waitFor();
                    return 124;
                }
                return p.exitValue();
            }
            return p.waitFor();
        } catch (InterruptedException e) {
            killTree(p.pid());
            throw e;
        }
    }

    private static Thread pump(InputStream in, Consumer<String> lines) {
        Thread t = new Thread(() -> pumpLines(in, lines), "dib-exec-stderr");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void pumpLines(InputStream in, Consumer<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.accept(line);
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** Kills {@code pid} and all its descendants (nsenter's child runs inside the namespace). */
    static void killTree(long pid) {
        ProcessHandle.of(pid).ifPresent(h -> {
            h.descendants().forEach(ProcessHandle::destroyForcibly);
            h.destroyForcibly();
        });
    }

    @Override
    public boolean alive() {
        return !closed && unshare.isAlive();
    }

    /**
     * Kills every process of the namespace and lets the kernel drop its mounts. Waits until
     * the holder is gone. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : running) {
            killTree(p.pid());
        }
        killTree(holder);
        try {
            // unshare reaps its child and exits; killing unshare first would leave the
            // holder to the host's init, which may reap it late
            if (!unshare.waitFor(5, TimeUnit.SECONDS)) {
                unshare.destroyForcibly();
                unshare.waitFor(5, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.exists(Path.of("/proc", Long.toString(holder))) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}

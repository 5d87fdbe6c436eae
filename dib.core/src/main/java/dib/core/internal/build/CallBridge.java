// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.build;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

import dib.core.build.BuildContext;
import dib.core.build.BuildException;
import dib.core.hook.HookCall;
import dib.core.hook.HookCommand;
import dib.core.sandbox.Exec;

/**
 * Serves {@code dib-call} for one build. The hooks tree holds a FIFO {@code .dib/call};
 * {@code dib-call} writes one line "ROOT REQUEST_DIR" to it, where REQUEST_DIR (inside ROOT,
 * the caller's chroot or "/") holds the arguments ({@code args}, NUL-separated), the
 * environment ({@code env}, NUL-separated), the working directory ({@code cwd}) and two
 * FIFOs {@code out} and {@code err} the caller reads. The bridge runs the
 * {@link HookCommand}, writes {@code rc} and closes the FIFOs.
 */
final class CallBridge implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CallBridge.class.getName());

    private final BuildContext build;
    private final Path fifoHost;
    private final Function<String, HookCommand> commands;
    private final Function<String, List<String>> known;
    private final ExecutorService workers;
    private final Thread reader;
    private volatile boolean closed;
    private RandomAccessFile channel;

    /**
     * @param build    the build
     * @param nsFifo   the FIFO's path in the namespace
     * @param commands looks up a command by name (null if none)
     * @param known    names of the known commands, for the error message
     */
    CallBridge(BuildContext build, Path nsFifo, Function<String, HookCommand> commands,
            Function<String, List<String>> known) throws BuildException, InterruptedException {
        this.build = build;
        this.commands = commands;
        this.known = known;
        try {
            Files.createDirectories(build.sandbox().host(nsFifo.getParent()));
        } catch (IOException e) {
            throw new BuildException("cannot create " + nsFifo.getParent() + ": " + e.getMessage(), e);
        }
        try {
            build.sandbox().check(Exec.of("mkfifo", "-m", "0666", nsFifo.toString()).quiet());
        } catch (dib.core.sandbox.SandboxException e) {
            throw new BuildException("cannot create the dib-call channel: " + e.getMessage(), e);
        }
        this.fifoHost = build.sandbox().host(nsFifo);
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "dib-call-" + build.id());
            t.setDaemon(true);
            return t;
        });
        try {
            // read-write keeps the FIFO open, so readers never see end-of-file between callers
            this.channel = new RandomAccessFile(fifoHost.toFile(), "rw");
        } catch (IOException e) {
            throw new BuildException("cannot open the dib-call channel: " + e.getMessage(), e);
        }
        this.reader = new Thread(this::serve, "dib-call-reader-" + build.id());
        reader.setDaemon(true);
        reader.start();
    }

    private void serve() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(Channels.newInputStream(channel.getChannel()), StandardCharsets.UTF_8))) {
            String line;
            while (!closed && (line = in.readLine()) != null) {
                if (closed || line.equals("quit")) {
                    break;
                }
                String l = line;
                workers.execute(() -> handle(l));
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.log(Level.WARNING, "dib-call channel of build " + build.id() + " failed", e);
            }
        }
    }

    private void handle(String line) {
        int sp = line.indexOf(' ');
        if (sp < 0) {
            return;
        }
        Path root = Path.of(line.substring(0, sp));
        Path req = Path.of(line.substring(sp + 1));
        Path nsReq = root.resolve(req.toString().substring(1));
        Path dir = build.sandbox().host(nsReq);
        int rc = 1;
        try (PrintStream out = new PrintStream(new FileOutputStream(dir.resolve("out").toFile()), true,
                StandardCharsets.UTF_8);
                PrintStream err = new PrintStream(new FileOutputStream(dir.resolve("err").toFile()), true,
                        StandardCharsets.UTF_8)) {
            try {
                List<String> args = split(Files.readAllBytes(dir.resolve("args")));
                Map<String, String> env = new LinkedHashMap<>();
                for (String kv : split(Files.readAllBytes(dir.resolve("env")))) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        env.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
                Path cwd = Path.of(Files.readString(dir.resolve("cwd")).strip());
                rc = dispatch(root, args, env, cwd, out, err);
            } catch (Exception e) {
                err.println("dib-call: " + e.getMessage());
                rc = 1;
            } finally {
                try {
                    Files.writeString(dir.resolve("rc"), Integer.toString(rc));
                } catch (IOException e) {
                    err.println("dib-call: cannot report the exit status: " + e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "dib-call request " + req + " of build " + build.id() + " failed", e);
        }
    }

    private int dispatch(Path root, List<String> args, Map<String, String> env, Path cwd, PrintStream out,
            PrintStream err) {
        if (args.isEmpty()) {
            err.println("usage: dib-call NAME [ARGS...]");
            return 2;
        }
        String name = args.get(0);
        HookCommand cmd = commands.apply(name);
        if (cmd == null) {
            err.println("dib-call: no dib service named '" + name + "' (known: "
                    + String.join(", ", known.apply(name)) + ")");
            return 127;
        }
        HookCall call = new Call(build, List.copyOf(args.subList(1, args.size())), env, root, cwd, out, err);
        try {
            return cmd.run(call);
        } catch (BuildException e) {
            err.println(name + ": " + e.getMessage());
            return e.exitStatus();
        } catch (Exception e) {
            err.println(name + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            LOG.log(Level.FINE, "dib-call " + name + " failed", e);
            return 1;
        }
    }

    private static List<String> split(byte[] data) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == 0) {
                out.add(new String(data, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < data.length) {
            out.add(new String(data, start, data.length - start, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (channel != null) {
                channel.write("quit\n".getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException ignored) {
            // the namespace may already be gone
        }
        try {
            reader.join(2000);
            if (channel != null) {
                channel.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // closing anyway
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Call(BuildContext build, List<String> arguments, Map<String, String> environment, Path root,
            Path cwdInCaller, PrintStream out, PrintStream err) implements HookCall {

        @Override
        public Path workingDirectory() {
            return root.resolve(cwdInCaller.toString().substring(1));
        }

        @Override
        public Path resolve(String callerPath) {
            Path p = Path.of(callerPath);
            Path inCaller = p.isAbsolute() ? p : cwdInCaller.resolve(p);
            return root.resolve(inCaller.normalize().toString().substring(1));
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import dib.core.build.Build;
import dib.core.build.ImageBuilder;

/**
 * The entry point of {@code bin/dib}. The bnd launcher publishes the command line as the
 * {@code launcher.arguments} property of a service and calls a {@code main.thread}
 * {@link Callable} on the main thread; the process exits with the returned status.
 *
 * <ul>
 * <li>No arguments and a terminal: raise the framework start level so the Gogo console
 * (start level 20) starts, and wait until it stops the framework.</li>
 * <li>No arguments and no terminal: print usage, exit 2 (a console on a closed stdin would
 * spin).</li>
 * <li>{@code COMMAND ARGS...}: run one Gogo command; dib's commands may be named without
 * their {@code dib:} scope. Each argument reaches the command as one word, whatever it
 * contains (they are passed as session variables, not re-tokenised). A single argument
 * containing white space is run as a whole Gogo command line instead.</li>
 * </ul>
 * Exit status: 0 on success, the {@link CommandFailure} status, or 1 for any other error;
 * errors are one line on stderr.
 */
@Component(service = Callable.class, property = "main.thread=true")
public final class Main implements Callable<Integer> {
    private static final int CONSOLE_START_LEVEL = 100;
    /** How long a one-shot command waits for the deploy folder's bundles to start. */
    private static final long SETTLE_MS = 15_000;

    private final BundleContext context;
    private final CommandProcessor processor;
    private final String[] args;
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Optional: the runtime's builds, to cancel those a one-shot command line leaves running. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ImageBuilder builder;

    @Activate
    public Main(BundleContext context, @Reference CommandProcessor processor,
            @Reference(service = Object.class, target = "(launcher.arguments=*)") Map<String, Object> launcher) {
        this.context = context;
        this.processor = processor;
        Object a = launcher.get("launcher.arguments");
        this.args = a instanceof String[] s ? s : new String[0];
    }

    @Deactivate
    void deactivate() {
        stopped.countDown();
    }

    @Override
    public Integer call() throws Exception {
        if (args.length == 0) {
            if (System.console() == null) {
                System.err.print(usage(context));
                return 2;
            }
            context.getBundle(0).adapt(FrameworkStartLevel.class).setStartLevel(CONSOLE_START_LEVEL);
            stopped.await();
            return 0;
        }
        // Gogo's ThreadIO replaces System.out/err with per-thread streams that write back to
        // the session console: a session built on them would write to itself forever. Use
        // the process's real descriptors.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        // a fresh framework: let FileInstall start what the deploy folder holds, so the
        // command sees installed bundles as a long-running shell would
        DeployFolder.settle(context, SETTLE_MS);
        return run(Arrays.asList(args), out, err);
    }

    int run(List<String> words, PrintStream out, PrintStream err) {
        CommandSession session = processor.createSession(new FileInputStream(FileDescriptor.in), out, err);
        // dib's commands win over the framework's of the same name (log, install, help, ...)
        session.put("SCOPE", "dib:*");
        try {
            StringBuilder line = new StringBuilder();
            if (words.size() == 1 && words.get(0).strip().contains(" ")) {
                line.append(words.get(0));
            } else {
                line.append(scoped(words.get(0)));
                for (int i = 1; i < words.size(); i++) {
                    session.put("_dib_arg" + i, words.get(i));
                    line.append(" $_dib_arg").append(i);
                }
            }
            Object result = session.execute(line);
            if (result != null) {
                CharSequence text = session.format(result, Converter.INSPECT);
                if (text != null && text.length() > 0) {
                    out.println(text);
                }
            }
            out.flush();
            return 0;
        } catch (Exception e) {
            Throwable t = unwrap(e);
            out.flush();
            if (t instanceof CommandFailure f) {
                err.println(f.getMessage());
                if (System.getenv("DIB_JAVA_TRACE") != null && f.getCause() != null) {
                    f.getCause().printStackTrace(err);
                }
                return f.status();
            }
            err.println("error: " + (t.getMessage() == null ? t.toString() : t.getMessage()));
            if (System.getenv("DIB_JAVA_TRACE") != null) {
                t.printStackTrace(err);
            }
            return 1;
        } finally {
            cancelLeftBuilds(err);
            err.flush();
            session.close();
        }
    }

    /**
     * A build started with --background in a one-shot command line would die with the JVM
     * when the line ends: say so, and cancel it cleanly instead.
     */
    private void cancelLeftBuilds(PrintStream err) {
        ImageBuilder b = builder;
        if (b == null) {
            return;
        }
        for (Build build : b.builds()) {
            if (!build.state().done()) {
                err.println("dib: build " + build.id() + " is still running and is cancelled: bin/dib ends with its"
                        + " command line (follow it on the same line with 'log -f " + build.id()
                        + "', or use the interactive shell)");
                build.cancel();
                try {
                    build.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private String scoped(String name) {
        if (name.contains(":")) {
            return name;
        }
        try {
            var refs = context.getServiceReferences((String) null,
                    "(&(osgi.command.scope=dib)(osgi.command.function=" + name.replaceAll("[()*\\\\]", "") + "))");
            return refs != null && refs.length > 0 ? "dib:" + name : name;
        } catch (InvalidSyntaxException e) {
            return name;
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof InvocationTargetException || t.getClass().getName().endsWith("CommandProxyException"))
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static String usage(BundleContext context) {
        return """
                usage: dib                      open the interactive shell (needs a terminal)
                       dib COMMAND [ARGS...]    run one command and exit with its status
                       dib 'GOGO COMMAND LINE'  run one Gogo command line

                """ + HelpCommand.list(context) + """

                Run 'dib COMMAND -h' for a command's options. bin/disk-image-create,
                bin/ramdisk-image-create, bin/element-info and bin/disk-image-get-kernel run the
                commands of the same name with upstream's options and exit codes.
                """;
    }
}

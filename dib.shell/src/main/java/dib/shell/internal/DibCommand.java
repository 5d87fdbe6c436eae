// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;

/**
 * Base of dib's Gogo commands. Each command is a {@link Function} service, so it receives
 * its words unchanged and parses them itself with {@link Getopt}: a command behaves the same
 * in the interactive shell, through {@code bin/dib} and through the upstream-named wrappers.
 * {@code -h}/{@code --help} prints the help text. Every failure leaves as a
 * {@link CommandFailure} with a one-line message: the console prints it as it is, and
 * {@code bin/dib} prints it on stderr and exits with its status.
 *
 * <p>Output goes to {@link System#out}, which Gogo routes per command thread to the session
 * console or into a pipe ({@code elements | grep vm}).
 */
public abstract class DibCommand implements Function {
    /** Service property value shared by every command. */
    public static final String SCOPE = "osgi.command.scope=dib";

    /** Session variables of Gogo itself that look like environment variables but are not. */
    private static final Set<String> GOGO_VARIABLES = Set.of("SCOPE");

    /** @return the usage line, without the program name */
    protected abstract String usage();

    /** @return the help text shown by {@code -h}, after the usage line */
    protected abstract String help();

    /** @return the command's name in the {@code dib} scope */
    protected abstract String name();

    /** @return one line for command lists: what the command does */
    protected String summary() {
        String h = help().strip();
        int dot = h.indexOf(". ");
        String first = (dot > 0 ? h.substring(0, dot + 1) : h.lines().findFirst().orElse("")).replaceAll("\\s+", " ");
        return first;
    }

    /**
     * Runs the command.
     *
     * @param session the Gogo session
     * @param args    the words given after the command name
     * @return a value for Gogo to print, or null when the command printed its own output
     */
    protected abstract Object run(CommandSession session, List<String> args) throws Exception;

    @Override
    public final Object execute(CommandSession session, List<Object> arguments) throws Exception {
        List<String> args = new ArrayList<>();
        for (Object o : arguments) {
            args.add(String.valueOf(o));
        }
        // -h/--help as an option, not as an operand after "--"
        List<String> options = args.contains("--") ? args.subList(0, args.indexOf("--")) : args;
        if (options.contains("-h") || options.contains("--help")) {
            PrintStream out = out();
            out.println("usage: " + name() + " " + usage());
            out.println();
            out.print(help().stripTrailing() + "\n");
            out.flush();
            return null;
        }
        try {
            return run(session, args);
        } catch (CommandFailure f) {
            throw f;
        } catch (InterruptedException e) {
            throw new CommandFailure(130, name() + ": interrupted", e);
        } catch (Exception | LinkageError | AssertionError e) {
            // something dib did not expect: still one line, the trace only with DIB_JAVA_TRACE
            Throwable t = e;
            while (t instanceof InvocationTargetException && t.getCause() != null) {
                t = t.getCause();
            }
            String m = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName()
                    : t.getMessage();
            throw new CommandFailure(1, name() + ": " + m, t);
        }
    }

    /** @throws CommandFailure (status 2) if the command was given operands; it takes none */
    protected final void noOperands(Getopt.Result r) {
        if (!r.operands().isEmpty()) {
            throw CommandFailure.usage(name() + ": unexpected argument '" + r.operands().get(0) + "' (usage: " + name()
                    + " " + usage() + ")");
        }
    }

    /** @return where command output goes: the session console, or the pipe the command writes into */
    protected static PrintStream out() {
        return System.out;
    }

    /**
     * @param session ignored: Gogo routes {@link System#out} per command thread
     * @return {@link #out()}
     */
    protected static PrintStream out(CommandSession session) {
        return out();
    }

    /**
     * @return the value of {@code name}: a string variable of the session (set in the shell
     *         with {@code NAME = value}) or else the process environment
     */
    protected static String variable(CommandSession session, String name) {
        String v = text(session == null ? null : session.get(name));
        return v != null ? v : System.getenv(name);
    }

    /**
     * @return a session variable's value as text: Gogo keeps an unquoted word
     *         ({@code X = install:6}) as a token, a number as a number; null for anything else
     *         (closures, objects)
     */
    private static String text(Object v) {
        return v instanceof CharSequence || v instanceof Number || v instanceof Boolean ? v.toString() : null;
    }

    /** @return the session's working directory ({@code cd} in the shell), else the process's */
    protected static Path cwd(CommandSession session) {
        Path p = session == null ? null : session.currentDir();
        return p != null ? p : Path.of(System.getProperty("user.dir")).toAbsolutePath();
    }

    /**
     * @return the environment a build started from this session sees: the process
     *         environment overlaid with the session's string variables whose names look
     *         like environment variables (upper case, digits, underscores), and {@code PWD}
     *         set to the session's working directory
     */
    protected static Map<String, String> environment(CommandSession session) {
        Map<String, String> env = new TreeMap<>(System.getenv());
        if (session != null && session.get(null) instanceof java.util.Set<?> names) {
            for (Object n : names) {
                String k = String.valueOf(n);
                String v = text(session.get(k));
                if (k.matches("[A-Z_][A-Z0-9_]*") && !GOGO_VARIABLES.contains(k) && v != null) {
                    env.put(k, v);
                }
            }
        }
        env.put("PWD", cwd(session).toString());
        return env;
    }
}

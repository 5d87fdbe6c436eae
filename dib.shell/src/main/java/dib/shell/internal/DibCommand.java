// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;

/**
 * Base of dib's Gogo commands. Each command is a {@link Function} service, so it receives
 * its words unchanged and parses them itself with {@link Getopt}: a command behaves the same
 * in the interactive shell and through {@code bin/dib} and the upstream-named wrappers.
 * {@code -h}/{@code --help} prints the help text. Failures are thrown as
 * {@link CommandFailure} with a one-line message.
 */
public abstract class DibCommand implements Function {
    /** Service property values shared by every command. */
    public static final String SCOPE = "osgi.command.scope=dib";

    /** @return the usage line, without the program name */
    protected abstract String usage();

    /** @return the help text shown by {@code -h}, after the usage line */
    protected abstract String help();

    /** @return the command's name in the {@code dib} scope */
    protected abstract String name();

    /**
     * Runs the command.
     *
     * @param session the Gogo session (its console is the output)
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
            PrintStream out = out(session);
            out.println("usage: " + name() + " " + usage());
            out.println();
            out.print(help().stripTrailing() + "\n");
            return null;
        }
        return run(session, args);
    }

    /** @return the session's console, or standard output when there is no session */
    protected static PrintStream out(CommandSession session) {
        return session == null || session.getConsole() == null ? System.out : session.getConsole();
    }

    /**
     * @return the value of {@code name}: a string variable of the session (set in the shell
     *         with {@code NAME = value}) or else the process environment
     */
    protected static String variable(CommandSession session, String name) {
        Object v = session == null ? null : session.get(name);
        return v instanceof String s ? s : System.getenv(name);
    }

    /**
     * @return the environment a build started from this session sees: the process
     *         environment overlaid with the session's string variables whose names look
     *         like environment variables (upper case, digits, underscores)
     */
    @SuppressWarnings("unchecked")
    protected static java.util.Map<String, String> environment(CommandSession session) {
        java.util.Map<String, String> env = new java.util.TreeMap<>(System.getenv());
        if (session != null && session.get(null) instanceof java.util.Set<?> names) {
            for (Object n : names) {
                String k = String.valueOf(n);
                if (k.matches("[A-Za-z_][A-Za-z0-9_]*") && k.equals(k.toUpperCase())
                        && session.get(k) instanceof String s) {
                    env.put(k, s);
                }
            }
        }
        return env;
    }
}

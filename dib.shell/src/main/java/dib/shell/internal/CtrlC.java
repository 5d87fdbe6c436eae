// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import org.apache.felix.service.command.CommandSession;

/**
 * Ctrl-C for a long-running command in the interactive console. Gogo's own handler
 * interrupts the whole job and the console then prints a bare
 * {@code java.lang.InterruptedException}; while one of dib's commands follows a build it
 * installs this handler instead, which interrupts only the command's thread, so the command
 * can cancel its build (or stop following) and end with one clear line. The console's
 * terminal is JLine's, reached through the session variable {@code .terminal} by reflection,
 * so dib.shell does not depend on JLine. Outside the console (bin/dib COMMAND) nothing is
 * installed: SIGINT ends the JVM, and a build's namespaces with it.
 */
final class CtrlC implements AutoCloseable {
    private final Object terminal;
    private final Method handle;
    private final Object signal;
    private final Object previous;
    private volatile boolean pressed;

    private CtrlC(Object terminal, Method handle, Object signal, Object previous) {
        this.terminal = terminal;
        this.handle = handle;
        this.signal = signal;
        this.previous = previous;
    }

    /**
     * Installs the handler for the calling thread.
     *
     * @return the handler; close it to put the console's back. Without a JLine terminal a
     *         handler that does nothing.
     */
    @SuppressWarnings({ "unchecked", "rawtypes" })
    static CtrlC interruptThisThread(CommandSession session) {
        Object t = session == null ? null : session.get(".terminal");
        if (t == null) {
            return new CtrlC(null, null, null, null);
        }
        Thread thread = Thread.currentThread();
        try {
            ClassLoader l = t.getClass().getClassLoader();
            Class<?> terminalType = l.loadClass("org.jline.terminal.Terminal");
            Class<? extends Enum> signalType = (Class<? extends Enum>) l.loadClass("org.jline.terminal.Terminal$Signal");
            Class<?> handlerType = l.loadClass("org.jline.terminal.Terminal$SignalHandler");
            Object sigint = Enum.valueOf(signalType, "INT");
            CtrlC[] self = new CtrlC[1];
            Object handler = Proxy.newProxyInstance(l, new Class<?>[] { handlerType }, (proxy, m, args) -> {
                switch (m.getName()) {
                    case "handle" -> {
                        if (self[0] != null) {
                            self[0].pressed = true;
                        }
                        thread.interrupt();
                        return null;
                    }
                    case "hashCode" -> {
                        return System.identityHashCode(proxy);
                    }
                    case "equals" -> {
                        return proxy == args[0];
                    }
                    case "toString" -> {
                        return "dib Ctrl-C handler";
                    }
                    default -> {
                        return null;
                    }
                }
            });
            Method handle = terminalType.getMethod("handle", signalType, handlerType);
            Object previous = handle.invoke(t, sigint, handler);
            self[0] = new CtrlC(t, handle, sigint, previous);
            return self[0];
        } catch (ReflectiveOperationException | RuntimeException e) {
            // not the JLine we know: keep Gogo's handler
            return new CtrlC(null, null, null, null);
        }
    }

    /** @return true once Ctrl-C was pressed while the handler was installed */
    boolean pressed() {
        return pressed;
    }

    @Override
    public void close() {
        if (terminal != null) {
            try {
                handle.invoke(terminal, signal, previous);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // the console is going away
            }
        }
        // an interrupt that arrived after the command stopped waiting must not hit the next one
        if (pressed) {
            Thread.interrupted();
        }
    }
}

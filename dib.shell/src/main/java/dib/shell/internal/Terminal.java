// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.File;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.CommandSession;

/**
 * What the commands need to know about the terminal: whether output goes to one (then
 * {@code create} draws a live progress line) and how wide it is (so that line never wraps,
 * which would break redrawing it with a carriage return).
 */
final class Terminal {
    static final int DEFAULT_WIDTH = 80;

    private Terminal() {
    }

    /** @return true when the JVM's standard input and output are a terminal */
    static boolean attached() {
        return System.console() != null;
    }

    /**
     * @return the terminal's width in columns: the interactive console's JLine terminal,
     *         else {@code COLUMNS}, else {@code stty size} on the controlling terminal,
     *         else {@value #DEFAULT_WIDTH}
     */
    static int width(CommandSession session) {
        Object t = session == null ? null : session.get(".terminal");
        if (t != null) {
            try {
                Method m = t.getClass().getMethod("getWidth");
                m.setAccessible(true);
                if (m.invoke(t) instanceof Integer w && w > 0) {
                    return w;
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // not a JLine terminal: try the others
            }
        }
        String c = System.getenv("COLUMNS");
        if (c != null && c.matches("\\d{1,4}") && Integer.parseInt(c) > 0) {
            return Integer.parseInt(c);
        }
        File tty = new File("/dev/tty");
        if (attached() && tty.canRead()) {
            try {
                Process p = new ProcessBuilder("stty", "size").redirectInput(tty)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (p.waitFor(2, TimeUnit.SECONDS) && out.matches("\\d+ \\d+")) {
                    int w = Integer.parseInt(out.split(" ")[1]);
                    if (w > 0) {
                        return w;
                    }
                }
            } catch (java.io.IOException e) {
                // no stty: the default will do
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return DEFAULT_WIDTH;
    }
}

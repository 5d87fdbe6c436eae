// SPDX-License-Identifier: Apache-2.0
package dib.shell.test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;

/**
 * A real Gogo runtime outside OSGi: dib's commands registered under scope {@code dib}, as
 * the framework's command whiteboard registers them, and a session whose output is kept.
 */
final class Gogo implements AutoCloseable {
    private final ThreadIOImpl tio = new ThreadIOImpl();
    private final CommandProcessorImpl processor;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final CommandSession session;

    Gogo() {
        tio.start();
        processor = new CommandProcessorImpl(tio);
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, err);
    }

    Gogo command(String name, Function f) {
        processor.addCommand("dib", f, name);
        return this;
    }

    /** Runs a command line; returns its output, or throws what the command threw. */
    String run(String line) throws Exception {
        out.reset();
        try {
            session.execute(line);
        } catch (Exception e) {
            Throwable t = e;
            while ((t instanceof InvocationTargetException || t.getClass().getName().endsWith("CommandProxyException"))
                    && t.getCause() != null) {
                t = t.getCause();
            }
            throw t instanceof Exception x ? x : e;
        } finally {
            session.getConsole().flush();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        session.close();
        tio.stop();
    }
}

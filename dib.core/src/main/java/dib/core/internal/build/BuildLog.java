// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.build;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * A build's log: every line timestamped as upstream's outfilter does
 * ({@code YYYY-MM-DD HH:MM:SS.mmm | line}), written to the log file and to the
 * {@code --logfile} copy. Thread-safe.
 */
final class BuildLog implements AutoCloseable {
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private final Path file;
    private final List<BufferedWriter> writers = new ArrayList<>();

    BuildLog(Path file, Path copy) throws IOException {
        this.file = file;
        Files.createDirectories(file.getParent());
        writers.add(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
        if (copy != null) {
            if (copy.getParent() != null) {
                Files.createDirectories(copy.getParent());
            }
            writers.add(Files.newBufferedWriter(copy, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE));
        }
    }

    Path file() {
        return file;
    }

    /** @return the line with its timestamp */
    static String stamp(String line) {
        return LocalDateTime.now().format(STAMP) + " | " + line;
    }

    synchronized void write(String stampedLine) {
        for (BufferedWriter w : writers) {
            try {
                w.write(stampedLine);
                w.write('\n');
                w.flush();
            } catch (IOException ignored) {
                // a full disk must not stop the build from cleaning up
            }
        }
    }

    @Override
    public synchronized void close() {
        for (BufferedWriter w : writers) {
            try {
                w.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
        writers.clear();
    }
}

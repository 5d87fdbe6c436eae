// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dib.core.build.Build;

/**
 * Reads a build's log file ({@link Build#log()}) while it grows. The file is the record of
 * the whole build, so a reader that starts late misses nothing (a build listener only sees
 * events from the moment it is added). The file is named after the output, so an earlier
 * build with the same output name may have left one: a file is only read once its first
 * line is this build's header ({@code dib VERSION build ID: ...}) stamped no earlier than
 * the build's start. Not thread-safe.
 */
final class LogTail implements AutoCloseable {
    /** The timestamp dib.core puts before every log line ({@code YYYY-MM-DD HH:MM:SS.mmm | }). */
    static final Pattern STAMP = Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\| ");
    private static final Pattern HEADER = Pattern
            .compile("^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}) \\| dib .*? build ([^ :]+):");
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private final Build build;
    private InputStream in;
    private boolean foreign;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    /** The header line, read while checking the file, handed out with the first batch. */
    private String header;

    LogTail(Build build) {
        this.build = build;
    }

    /** @return true once the file was found to belong to another build (and the build is done) */
    boolean foreign() {
        return foreign;
    }

    /** @return true once the file was recognised as this build's log */
    boolean found() {
        return in != null;
    }

    /**
     * @return the complete lines added since the last call (without line endings); empty
     *         while the file does not exist yet or is not this build's yet
     * @throws IOException if the file cannot be read
     */
    List<String> poll() throws IOException {
        return read(false);
    }

    /**
     * For a finished build: every line not returned yet, including an unterminated last one.
     *
     * @throws IOException if the file cannot be read
     */
    List<String> rest() throws IOException {
        return read(true);
    }

    private List<String> read(boolean all) throws IOException {
        List<String> lines = new ArrayList<>();
        if (in == null && !open()) {
            return lines;
        }
        if (header != null) {
            lines.add(header);
            header = null;
        }
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                    lines.add(partial.toString(StandardCharsets.UTF_8));
                    partial.reset();
                } else {
                    partial.write(buf[i]);
                }
            }
        }
        if (all && partial.size() > 0) {
            lines.add(partial.toString(StandardCharsets.UTF_8));
            partial.reset();
        }
        return lines;
    }

    /** Opens the file if its first line is this build's header; keeps it open from then on. */
    private boolean open() throws IOException {
        boolean done = build.state().done();
        InputStream s;
        try {
            s = Files.newInputStream(build.log());
        } catch (NoSuchFileException e) {
            return false;
        }
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        int c;
        while ((c = s.read()) >= 0 && c != '\n') {
            first.write(c);
        }
        String header = first.toString(StandardCharsets.UTF_8);
        if (c == '\n' && isHeaderOf(header)) {
            in = s;
            partial.reset();
            this.header = header;
            return true;
        }
        s.close();
        if (done && (c == '\n' || c < 0)) {
            foreign = c == '\n' || first.size() > 0;
        }
        return false;
    }

    private boolean isHeaderOf(String line) {
        Matcher m = HEADER.matcher(line);
        if (!m.find() || !m.group(2).equals(build.id())) {
            return false;
        }
        try {
            LocalDateTime stamp = LocalDateTime.parse(m.group(1), FORMAT);
            LocalDateTime start = LocalDateTime.ofInstant(build.started(), ZoneId.systemDefault())
                    .truncatedTo(ChronoUnit.MILLIS);
            return !stamp.isBefore(start);
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** @return the line without dib's timestamp */
    static String unstamped(String line) {
        Matcher m = STAMP.matcher(line);
        return m.find() ? line.substring(m.end()) : line;
    }

    @Override
    public void close() {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // read-only
            }
            in = null;
        }
    }
}

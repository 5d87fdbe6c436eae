// SPDX-License-Identifier: Apache-2.0
package dib.core.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command to run in a {@link Sandbox}: argv, environment, working directory, an optional
 * chroot and how to treat its output. Mutable builder; not thread-safe.
 *
 * <p>By default the command gets a minimal environment ({@code PATH}, {@code LC_ALL=C},
 * {@code HOME}), runs in {@code /}, and its standard output and error go to the build log.
 *
 * @since 1.0
 */
public final class Exec {
    private final List<String> argv;
    private final Map<String, String> env = new LinkedHashMap<>();
    private boolean inheritDefaults = true;
    private Path cwd;
    private Path chroot;
    private byte[] input;
    private boolean capture;
    private boolean quiet;
    private boolean interactive;
    private Duration timeout;
    private String label;
    private java.util.function.Consumer<String> stdoutLines;
    private java.util.function.Consumer<String> stderrLines;

    private Exec(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        this.argv = new ArrayList<>(argv);
    }

    /** @return a command with these words */
    public static Exec of(String... argv) {
        return new Exec(List.of(argv));
    }

    /** @return a command with these words */
    public static Exec of(List<String> argv) {
        return new Exec(argv);
    }

    /** Adds words to the command. */
    public Exec args(String... more) {
        Collections.addAll(argv, more);
        return this;
    }

    /** Adds words to the command. */
    public Exec args(List<String> more) {
        argv.addAll(more);
        return this;
    }

    /** Sets one environment variable (null removes it). */
    public Exec env(String key, String value) {
        if (value == null) {
            env.remove(key);
        } else {
            env.put(key, value);
        }
        return this;
    }

    /**
     * Uses exactly {@code environment} (plus later {@link #env} calls), without the default
     * PATH/LC_ALL/HOME.
     */
    public Exec environment(Map<String, String> environment) {
        env.clear();
        env.putAll(environment);
        inheritDefaults = false;
        return this;
    }

    /** Runs in this directory (a path in the namespace, inside the chroot if one is set). */
    public Exec cwd(Path dir) {
        cwd = dir;
        return this;
    }

    /** Runs the command in a chroot of {@code root} (a path in the namespace). */
    public Exec chroot(Path root) {
        chroot = root;
        return this;
    }

    /** Feeds these bytes to standard input (default: none, stdin is /dev/null). */
    public Exec input(byte[] data) {
        input = data.clone();
        return this;
    }

    /** Returns standard output in {@link ExecResult#stdout()} instead of logging it. */
    public Exec capture() {
        capture = true;
        return this;
    }

    /** Does not copy output to the build log (it is still kept for error messages). */
    public Exec quiet() {
        quiet = true;
        return this;
    }

    /** Connects the command to the JVM's terminal (break-point shells). */
    public Exec interactive() {
        interactive = true;
        return this;
    }

    /** Kills the command after this long. */
    public Exec timeout(Duration d) {
        timeout = d;
        return this;
    }

    /**
     * Sends each line of standard output to {@code stdout} and each line of standard error
     * to {@code stderr} instead of the build log (the lines are still kept for error
     * messages). Either may be null to keep the default for that stream.
     */
    public Exec lines(java.util.function.Consumer<String> stdout, java.util.function.Consumer<String> stderr) {
        stdoutLines = stdout;
        stderrLines = stderr;
        return this;
    }

    /** Names the command in messages (default: its first word). */
    public Exec label(String l) {
        label = l;
        return this;
    }

    public List<String> argv() { return List.copyOf(argv); }
    public Map<String, String> env() { return Collections.unmodifiableMap(env); }
    public boolean inheritDefaults() { return inheritDefaults; }
    public Path cwd() { return cwd; }
    public Path chroot() { return chroot; }
    public byte[] input() { return input == null ? null : input.clone(); }
    public boolean captured() { return capture; }
    public boolean isQuiet() { return quiet; }
    public boolean isInteractive() { return interactive; }
    public Duration timeout() { return timeout; }
    public java.util.function.Consumer<String> stdoutLines() { return stdoutLines; }
    public java.util.function.Consumer<String> stderrLines() { return stderrLines; }

    /** @return the label, or the command's first word */
    public String label() {
        return label != null ? label : argv.get(0);
    }

    @Override
    public String toString() {
        return String.join(" ", argv);
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs dib's commands from the repository's bin/ as a user would: a separate process per
 * command, the real runtime jar, the caller's environment plus test settings.
 */
public final class Dib {
    /** The repository root (system property dib.top, set by the pom). */
    public static final Path TOP = Path.of(System.getProperty("dib.top", "..")).toAbsolutePath().normalize();
    /** The fixture and test elements. */
    public static final Path TEST_ELEMENTS = TOP.resolve("test-elements");

    private final Map<String, String> env = new LinkedHashMap<>();
    private Path cwd;

    /** A result of one command. */
    public record Result(int exit, String stdout, String stderr) {
        /** @return stdout and stderr together, for messages */
        public String all() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    public Dib(Path cwd) {
        this.cwd = cwd;
        env.put("DIB_NO_BUILD", "1");
        env.put("ELEMENTS_PATH", TEST_ELEMENTS.toString());
        env.put("DIB_NO_TIMESTAMP", "1");
    }

    public Dib env(String k, String v) {
        env.put(k, v);
        return this;
    }

    public Dib cwd(Path dir) {
        cwd = dir;
        return this;
    }

    /** @return a process builder for {@code bin/NAME ARGS...} */
    public ProcessBuilder builder(String command, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(TOP.resolve("bin").resolve(command).toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().putAll(env);
        pb.environment().put("PWD", cwd.toString());
        return pb;
    }

    /** Runs {@code bin/NAME ARGS...} to completion (10 minutes at most). */
    public Result run(String command, String... args) throws IOException, InterruptedException {
        return run(Duration.ofMinutes(10), command, args);
    }

    /**
     * Runs {@code bin/NAME ARGS...} to completion, {@code limit} at most; past it, the command
     * and its processes are killed and the test fails with its last lines of output.
     */
    public Result run(Duration limit, String command, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("dib-systest-", ".out");
        Path err = Files.createTempFile("dib-systest-", ".err");
        try {
            Process p = builder(command, List.of(args)).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("bin/" + command + " did not finish in " + limit.toMinutes()
                        + " minutes; last output:\n" + tail(Files.readString(out, StandardCharsets.UTF_8), 30));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** @return the last {@code n} lines of {@code s} */
    public static String tail(String s, int n) {
        List<String> l = s.lines().toList();
        return String.join("\n", l.subList(Math.max(0, l.size() - n), l.size()));
    }
}

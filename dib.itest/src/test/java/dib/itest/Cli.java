// SPDX-License-Identifier: Apache-2.0
package dib.itest;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the repository's {@code bin/} scripts as a user would, against the assembly this
 * build packaged ({@code DIB_NO_BUILD=1}: never rebuild from a test). The element cache and
 * deploy folder are private to the test run.
 */
final class Cli {
    static final Path HOME = Path.of(System.getProperty("dib.home", "..")).toAbsolutePath().normalize();
    static final Path WORK = Path.of(System.getProperty("dib.itest.dir", "target/itest")).toAbsolutePath();

    record Result(int status, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }

        /** One line on stderr, no stack trace, the given status. */
        String oneErrorLine(int expectedStatus) {
            String all = "status " + status + "\nstdout: " + out + "\nstderr: " + err;
            assertTrue(status == expectedStatus, "expected status " + expectedStatus + ", " + all);
            assertTrue(errLines().size() == 1, "expected exactly one line on stderr, " + all);
            assertTrue(!err.contains("\tat ") && !err.contains("Exception"), "no stack trace or exception, " + all);
            assertTrue(out.isEmpty(), "nothing on stdout, " + all);
            return errLines().get(0);
        }
    }

    private Cli() {
    }

    static Result run(String elementsPath, String... command) {
        List<String> cmd = new ArrayList<>();
        cmd.add(HOME.resolve("bin").resolve(command[0]).toString());
        cmd.addAll(List.of(command).subList(1, command.length));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(WORK.toFile());
        Map<String, String> env = pb.environment();
        env.put("DIB_NO_BUILD", "1");
        env.put("DIB_DEPLOY_DIR", WORK.resolve("deploy").toString());
        env.put("DIB_JAVA_OPTS", "-Ddib.cache.dir=" + WORK.resolve("cache"));
        env.remove("DIB_JAVA_TRACE");
        if (elementsPath == null) {
            env.remove("ELEMENTS_PATH");
        } else {
            env.put("ELEMENTS_PATH", elementsPath);
        }
        try {
            Files.createDirectories(WORK);
            if (!Files.isRegularFile(HOME.resolve("dib.app/target/dib.jar"))) {
                fail("dib.app/target/dib.jar is missing: run the tests through Maven from the repository root");
            }
            Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            CompletableFuture<String> out = read(p.getInputStream());
            CompletableFuture<String> err = read(p.getErrorStream());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(cmd + " did not finish in 120 s");
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static CompletableFuture<String> read(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}

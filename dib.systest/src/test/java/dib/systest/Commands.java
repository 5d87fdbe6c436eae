// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Host commands the tests use to prepare inputs (git repositories, archives, elements). */
public final class Commands {
    private Commands() {
    }

    /**
     * Runs a command to completion and returns its standard output; fails the test with its
     * output when it exits non-zero. Git commits get a fixed author and date.
     */
    public static String run(Path cwd, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(false);
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        pb.environment().putAll(java.util.Map.of("GIT_AUTHOR_NAME", "dib test", "GIT_AUTHOR_EMAIL", "test@dib.invalid",
                "GIT_COMMITTER_NAME", "dib test", "GIT_COMMITTER_EMAIL", "test@dib.invalid", "LC_ALL", "C"));
        Path err = Files.createTempFile("dib-systest-", ".err");
        try {
            Process p = pb.redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed with exit status " + p.exitValue() + ": "
                        + out + Files.readString(err));
            }
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** Writes {@code text} to {@code file} (parents created); executable when it starts with "#!". */
    public static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        if (text.startsWith("#!")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return file;
    }

    /** @return {@code ELEMENTS_PATH} with dib's test elements first, then {@code more} */
    public static String elementsPath(Path... more) {
        StringBuilder b = new StringBuilder(Dib.TEST_ELEMENTS.toString());
        for (Path p : more) {
            b.append(':').append(p);
        }
        return b.toString();
    }

    /** @return the last line of {@code text}, stripped */
    public static String lastLine(String text) {
        List<String> lines = text.strip().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
    }
}

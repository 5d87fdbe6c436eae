// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The fixture trees and helpers the tests share. */
public final class Fixtures {
    /** The repository root (the parent of this module). */
    public static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
    /** The elements this bundle ships. */
    public static final Path ELEMENTS = REPO.resolve("dib.blockdevice/src/main/elements");
    /** The repository's test elements. */
    public static final Path TEST_ELEMENTS = REPO.resolve("test-elements");

    private Fixtures() {
    }

    /**
     * Builds the fixture-busybox root tree by running its root.d script.
     *
     * @param target the tree to make
     * @param kernel true to copy the host's kernel, initrd and modules in
     */
    public static Path busyboxTree(Path target, boolean kernel) throws IOException, InterruptedException {
        Files.createDirectories(target);
        run(Map.of("TARGET_ROOT", target.toString(), "DIB_FIXTURE_KERNEL", kernel ? "1" : "0"), "bash",
                TEST_ELEMENTS.resolve("fixture-busybox/root.d/10-fixture-busybox").toString());
        // upstream's kernel selection wants to recognise the distribution
        Files.writeString(target.resolve("etc/debian_version"), "12.0\n");
        return target;
    }

    /** Runs a host command and returns its output (with stderr); fails on a non-zero exit. */
    public static String run(Map<String, String> env, String... argv) throws IOException, InterruptedException {
        return exec(env, true, argv);
    }

    /** Runs a host command and returns its standard output only; fails on a non-zero exit. */
    public static String stdout(String... argv) throws IOException, InterruptedException {
        return exec(Map.of(), false, argv);
    }

    /** Runs a host command and returns its output. */
    public static String run(String... argv) throws IOException, InterruptedException {
        return exec(Map.of(), true, argv);
    }

    private static String exec(Map<String, String> env, boolean stderr, String... argv)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        if (stderr) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", argv) + " failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }

    /** @return a copy of {@code tree} in {@code dir} with a file "blob" of {@code mib} random MiB */
    public static Path treeWithBlob(Path tree, Path dir, int mib) throws IOException, InterruptedException {
        Path big = Files.createDirectories(dir);
        run("cp", "-a", tree + "/.", big + "/");
        run("dd", "if=/dev/urandom", "of=" + big.resolve("blob"), "bs=1M", "count=" + mib, "status=none");
        return big;
    }

    /** @return the exit status of a host command, its output discarded */
    public static int status(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor();
    }

    /** @return the element directories for these names, from the shipped and the test elements */
    public static List<Path> elements(String... names) {
        List<Path> out = new ArrayList<>();
        for (String n : names) {
            Path p = ELEMENTS.resolve(n);
            out.add(Files.isDirectory(p) ? p : TEST_ELEMENTS.resolve(n));
        }
        return out;
    }

    /**
     * @param dir a directory
     * @return host loop devices whose backing file lies under {@code dir}, and mounts under it
     */
    public static List<String> leftovers(Path dir) throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        for (String line : run("losetup", "-a", "-O", "NAME,BACK-FILE", "-n").split("\n")) {
            if (line.contains(dir.toString())) {
                out.add("loop: " + line.strip());
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].startsWith(dir.toString())) {
                out.add("mount: " + f[4]);
            }
        }
        return out;
    }
}

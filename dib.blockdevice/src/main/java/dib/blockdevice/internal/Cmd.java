// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import dib.core.build.BuildException;
import dib.core.sandbox.Exec;
import dib.core.sandbox.ExecResult;
import dib.core.sandbox.Sandbox;
import dib.core.sandbox.SandboxException;

/** Running commands in a sandbox with one-line errors that name what was being done. */
public final class Cmd {
    private Cmd() {
    }

    /**
     * @param sandbox where to run
     * @param what    what is being done, the start of the error message ("mkfs_root: ...")
     * @param exec    the command
     * @return its result (exit status 0)
     * @throws BuildException {@code what: COMMAND failed with exit status N: last output}
     */
    public static ExecResult run(Sandbox sandbox, String what, Exec exec) throws BuildException {
        try {
            return sandbox.check(exec);
        } catch (SandboxException e) {
            throw new BuildException(what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException(what + ": interrupted", e);
        }
    }

    /** Runs {@code argv} quietly (output kept for errors only). */
    public static ExecResult quiet(Sandbox sandbox, String what, String... argv) throws BuildException {
        return run(sandbox, what, Exec.of(argv).quiet());
    }

    /** @return the command's standard output */
    public static String capture(Sandbox sandbox, String what, String... argv) throws BuildException {
        return run(sandbox, what, Exec.of(argv).capture().quiet()).stdout();
    }

    /** A step that may fail. */
    @FunctionalInterface
    interface Step {
        void run() throws BuildException;
    }

    /** Runs {@code step}; when it fails, removes the partial {@code target} and rethrows. */
    static void removeOnFailure(Sandbox sandbox, Path target, Step step) throws BuildException {
        try {
            step.run();
        } catch (BuildException | RuntimeException e) {
            bestEffort(sandbox, "rm", "-f", target.toString());
            throw e;
        }
    }

    /** Runs a command, ignoring failures (for releasing resources). */
    static void bestEffort(Sandbox sandbox, String... argv) {
        try {
            sandbox.run(Exec.of(argv).quiet());
        } catch (IOException e) {
            // the sandbox is gone: so is everything in it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @param sandbox the sandbox
     * @param base    a trusted directory (a namespace path)
     * @param rel     a relative path below it
     * @return true if {@code base/rel} is a directory reached without following any symbolic
     *         link below {@code base} (so a mount on it cannot land outside the tree)
     */
    static boolean plainDirectory(Sandbox sandbox, Path base, String rel) {
        Path p = sandbox.host(base);
        for (Path part : Path.of(rel.isEmpty() ? "." : rel)) {
            if (part.toString().equals(".")) {
                continue;
            }
            if (part.toString().equals("..")) {
                return false;
            }
            p = p.resolve(part);
            if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
        }
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }
}

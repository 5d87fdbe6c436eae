// SPDX-License-Identifier: Apache-2.0
package dib.core.sandbox;

import java.io.IOException;
import java.nio.file.Path;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The namespaces of one build. Mounts made by commands run here (including loop devices
 * attached by {@code mount -o loop}, which clear themselves) exist only inside the build's
 * mount namespace; every process run here is in the build's PID namespace. When the build
 * ends, or the JVM dies for any reason, the namespace holder dies and the kernel kills the
 * processes and releases the mounts.
 *
 * <p>Thread-safe; commands may run concurrently.
 *
 * @since 1.0
 */
@ProviderType
public interface Sandbox {

    /**
     * Translates a path as the build's processes see it into a path the JVM can use
     * (through {@code /proc/<holder>/root}). Do not follow symbolic links found in an image
     * tree: absolute links resolve against the host's root.
     *
     * @param path an absolute path in the build's mount namespace
     * @return the same file, reachable from the JVM
     */
    Path host(Path path);

    /**
     * Runs a command in the build's namespaces and waits for it. Its output goes to the
     * build log line by line, unless {@link Exec#capture()} was asked for.
     *
     * @param exec the command
     * @return how it ended
     * @throws IOException          if it could not be started
     * @throws InterruptedException if the build was cancelled while it ran (the command is killed)
     */
    ExecResult run(Exec exec) throws IOException, InterruptedException;

    /**
     * Like {@link #run(Exec)} but a non-zero exit status is an error.
     *
     * @param exec the command
     * @return how it ended (always exit status 0)
     * @throws SandboxException naming the command, its exit status and the last lines of its output
     */
    ExecResult check(Exec exec) throws SandboxException, InterruptedException;

    /** @return the PID of the namespace holder, as seen from the host (for diagnostics) */
    long holderPid();
}

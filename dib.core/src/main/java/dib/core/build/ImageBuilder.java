// SPDX-License-Identifier: Apache-2.0
package dib.core.build;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The build engine as a service: runs the phases of upstream diskimage-builder for a
 * {@link BuildRequest} and produces the requested outputs. Several builds may run at once;
 * each has its own build directory, namespaces and id. Thread-safe.
 *
 * @since 1.0
 */
@ProviderType
public interface ImageBuilder {

    /**
     * Checks the request (options, element expansion, tools) and starts the build.
     *
     * @param request what to build
     * @return the running build
     * @throws BuildException if the request is invalid; nothing has been created then
     */
    Build start(BuildRequest request) throws BuildException;

    /** @return the builds of this framework, running and finished, oldest first */
    List<Build> builds();

    /**
     * @param id a build id
     * @return the build, if known
     */
    Optional<Build> build(String id);

    /**
     * Finds what builds of dead processes left behind (namespaces, mounts, loop devices,
     * temporary directories, partial outputs) and releases it.
     *
     * @param dryRun only report
     * @return one line per leftover found, saying what it was, whether it was released and,
     *         when a resource is busy, which process holds it
     */
    List<String> gc(boolean dryRun);
}

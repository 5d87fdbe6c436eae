// SPDX-License-Identifier: Apache-2.0
package dib.core.hook;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A command hooks can call with {@code dib-call NAME ARGS...}. Register it as a service with
 * the property {@value #NAME} set to the name. Calls may arrive concurrently from several
 * builds.
 *
 * @since 1.0
 */
@ConsumerType
public interface HookCommand {
    /** Service property: the name hooks call the command by. */
    String NAME = "dib.hook.command";

    /**
     * Runs the command.
     *
     * @param call the arguments, the caller's environment, output streams and the build
     * @return the exit status the hook sees
     * @throws Exception any failure; the hook sees its message on stderr and exit status 1
     */
    int run(HookCall call) throws Exception;
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.sandbox;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A {@link Sandbox} owned by its opener, who closes it. See {@link Sandboxes#open}.
 *
 * @since 1.0
 */
@ProviderType
public interface ClosableSandbox extends Sandbox, AutoCloseable {
    /** @return true until closed or until the holder died */
    boolean alive();

    /**
     * Kills every process in the namespaces and drops them with all their mounts (loop
     * devices attached by {@code mount -o loop} clear themselves). Idempotent.
     */
    @Override
    void close();
}

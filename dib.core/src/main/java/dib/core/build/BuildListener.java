// SPDX-License-Identifier: Apache-2.0
package dib.core.build;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives a build's events, in order, on a thread of the build. Must return quickly and
 * must not throw; a listener that throws is removed.
 *
 * @since 1.0
 */
@ConsumerType
@FunctionalInterface
public interface BuildListener {
    /** @param event what happened */
    void onEvent(BuildEvent event);
}

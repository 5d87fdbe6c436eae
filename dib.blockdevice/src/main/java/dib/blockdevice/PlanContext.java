// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

import dib.core.build.BuildContext;

/**
 * What node types see while the layer plans a build: nothing exists on disk yet.
 * Used by one thread.
 *
 * @since 1.0
 */
@ProviderType
public interface PlanContext {
    /** @return the build (request, environment, architecture, elements) */
    BuildContext build();

    /**
     * @return where the configuration came from, for messages: {@code DIB_BLOCK_DEVICE_CONFIG},
     *         a file, or {@code the built-in default}
     */
    String source();

    /**
     * @return a map that node types share while planning (upstream's state dictionary),
     *         for example to collect every mount point before edges are asked for
     */
    Map<String, Object> state();

    /**
     * @param name a node name
     * @return the node, or null; complete once every entry is parsed
     */
    Node node(String name);

    /** @param line a warning for the build log */
    void warn(String line);
}

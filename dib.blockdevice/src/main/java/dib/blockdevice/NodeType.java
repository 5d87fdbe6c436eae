// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

import dib.core.build.BuildException;

/**
 * A plug-in for one key of the YAML block-device configuration ({@code local_loop},
 * {@code partitioning}, {@code mkfs}, {@code mount}, {@code fstab}, {@code lvm}, or a
 * vendor's own). Register it as a service with the property {@value #KEY} set to the key.
 * The keys of all registered node types are what the tree form of the configuration treats
 * as child nodes.
 *
 * @since 1.0
 */
@ConsumerType
public interface NodeType {
    /** Service property: the configuration key this type handles. */
    String KEY = "dib.blockdevice.node";

    /**
     * Reads one entry of the graph form. The layer has already turned the tree form into
     * the graph form, so {@code name} is always present and {@code base} is present for
     * every entry that was nested in another. Called in configuration order.
     *
     * @param config the entry's values (YAML scalars, lists and maps)
     * @param plan   the plan being built
     * @return at least one node
     * @throws BuildException if the entry is invalid; the message names the entry and the
     *                        problem in one line
     */
    List<Node> parse(Map<String, Object> config, PlanContext plan) throws BuildException;
}

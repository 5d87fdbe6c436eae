// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

import dib.core.build.BuildException;

/**
 * One node of the block-device graph, made by a {@link NodeType}. The layer sorts the nodes
 * topologically (upstream's order: generation by generation, in the order the configuration
 * names them) and calls {@link #create} in that order, {@link #umount} in the reverse order.
 *
 * <p>A node keeps whatever it creates releasable: it registers an action with
 * {@link CreateContext#onRelease} for every resource (a file, a mount), and the layer runs
 * these actions in reverse order when creating fails and when the layout is closed. The
 * actions must tolerate running after {@link #umount} succeeded.
 *
 * @since 1.0
 */
@ConsumerType
public interface Node {
    /** @return the unique node name */
    String name();

    /**
     * Asked once every node of the configuration exists.
     *
     * @param plan the plan
     * @return the nodes that must be created before this one (upstream's "edges from"),
     *         normally the {@code base}
     */
    List<String> after(PlanContext plan);

    /**
     * @param plan the plan
     * @return the nodes that must be created after this one (upstream's "edges to")
     */
    default List<String> before(PlanContext plan) {
        return List.of();
    }

    /**
     * Checks, while planning and before anything exists, that the node can be created on
     * this machine (tools, kernel features).
     *
     * @param plan the plan
     * @throws BuildException naming the node and what is missing
     */
    default void check(PlanContext plan) throws BuildException {
    }

    /**
     * Creates what the node stands for.
     *
     * @param ctx the build's block-device state
     * @throws BuildException naming the node and what failed
     */
    void create(CreateContext ctx) throws BuildException;

    /**
     * Flushes and unmounts what {@link #create} mounted. The image files stay.
     *
     * @param ctx the build's block-device state
     * @throws BuildException naming the node and what failed
     */
    default void umount(CreateContext ctx) throws BuildException {
    }
}

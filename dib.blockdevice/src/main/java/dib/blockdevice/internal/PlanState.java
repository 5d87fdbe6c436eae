// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import dib.blockdevice.Node;
import dib.blockdevice.PlanContext;
import dib.core.build.BuildContext;

/** The {@link PlanContext} of one plan. */
final class PlanState implements PlanContext {
    private final BuildContext build;
    private final String source;
    private final Map<String, Object> state = new LinkedHashMap<>();
    private final NodeGraph graph;

    PlanState(BuildContext build, String source, NodeGraph graph) {
        this.build = build;
        this.source = source;
        this.graph = graph;
    }

    @Override
    public BuildContext build() {
        return build;
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public Map<String, Object> state() {
        return state;
    }

    @Override
    public Node node(String name) {
        return graph.get(name);
    }

    @Override
    public void warn(String line) {
        build.log("WARNING: " + line);
    }
}

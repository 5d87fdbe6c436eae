// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dib.blockdevice.Node;
import dib.blockdevice.PlanContext;
import dib.core.build.BuildException;

/**
 * The directed graph of nodes and upstream's call order: nodes are kept in insertion order,
 * edges in the order they are added, and the order is Kahn's algorithm generation by
 * generation (what networkx's {@code topological_sort} yields), so ties are broken exactly as
 * upstream breaks them.
 */
final class NodeGraph {
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Set<String>> out = new LinkedHashMap<>();

    /** @throws BuildException for a duplicate name */
    void add(Node n, String source) throws BuildException {
        if (nodes.putIfAbsent(n.name(), n) != null) {
            throw new BuildException("block-device config (" + source + "): duplicate node name: " + n.name());
        }
        out.put(n.name(), new LinkedHashSet<>());
    }

    Node get(String name) {
        return nodes.get(name);
    }

    /** Asks every node for its edges. */
    void connect(PlanContext plan) throws BuildException {
        for (Node n : List.copyOf(nodes.values())) {
            for (String from : n.after(plan)) {
                edge(from, n.name(), plan.source());
            }
            for (String to : n.before(plan)) {
                edge(n.name(), to, plan.source());
            }
        }
    }

    private void edge(String from, String to, String source) throws BuildException {
        if (!nodes.containsKey(from) || !nodes.containsKey(to)) {
            throw new BuildException("block-device config (" + source + "): edge not defined: " + from + "->" + to);
        }
        out.get(from).add(to);
    }

    /** @return the call order */
    List<Node> order(String source) throws BuildException {
        Map<String, Integer> indegree = new LinkedHashMap<>();
        for (String n : nodes.keySet()) {
            indegree.put(n, 0);
        }
        for (Set<String> targets : out.values()) {
            for (String t : targets) {
                indegree.merge(t, 1, Integer::sum);
            }
        }
        List<String> generation = new ArrayList<>();
        for (Map.Entry<String, Integer> e : indegree.entrySet()) {
            if (e.getValue() == 0) {
                generation.add(e.getKey());
            }
        }
        List<Node> result = new ArrayList<>();
        while (!generation.isEmpty()) {
            List<String> next = new ArrayList<>();
            for (String n : generation) {
                result.add(nodes.get(n));
                for (String child : out.get(n)) {
                    if (indegree.merge(child, -1, Integer::sum) == 0) {
                        next.add(child);
                    }
                }
            }
            generation = next;
        }
        if (result.size() != nodes.size()) {
            List<String> cycle = new ArrayList<>();
            for (Map.Entry<String, Integer> e : indegree.entrySet()) {
                if (e.getValue() > 0) {
                    cycle.add(e.getKey());
                }
            }
            throw new BuildException("block-device config (" + source + "): the nodes depend on each other in a cycle: "
                    + String.join(", ", cycle));
        }
        return result;
    }
}

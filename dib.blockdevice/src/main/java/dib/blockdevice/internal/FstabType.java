// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import dib.blockdevice.CreateContext;
import dib.blockdevice.FstabEntry;
import dib.blockdevice.Node;
import dib.blockdevice.NodeType;
import dib.blockdevice.PlanContext;
import dib.core.build.BuildException;

/**
 * {@code fstab}: an {@code /etc/fstab} line for its mount node ({@code options} default
 * {@code defaults}, {@code dump-freq} 0, {@code fsck-passno} 2). The layer writes the file
 * after every node is created, in mount order.
 */
@Component(service = NodeType.class, property = NodeType.KEY + "=fstab")
public final class FstabType implements NodeType {
    @Override
    public List<Node> parse(Map<String, Object> config, PlanContext plan) throws BuildException {
        EntryReader r = new EntryReader(config, plan, "fstab");
        String name = r.required("name");
        String base = r.required("base");
        FstabEntry entry = new FstabEntry(base, r.optional("options", "defaults"), r.integer("dump-freq", 0),
                r.integer("fsck-passno", 2));
        return List.of(new Node() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<String> after(PlanContext p) {
                return List.of(base);
            }

            @Override
            public void create(CreateContext ctx) {
                ctx.putFstab(entry);
            }
        });
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.test;

import java.util.Map;

import dib.blockdevice.NodeType;
import dib.blockdevice.internal.FstabType;
import dib.blockdevice.internal.LayoutRegistry;
import dib.blockdevice.internal.LocalLoopType;
import dib.blockdevice.internal.LvmType;
import dib.blockdevice.internal.MkfsType;
import dib.blockdevice.internal.MountType;
import dib.blockdevice.internal.PartitioningType;
import dib.blockdevice.internal.YamlBlockDeviceLayer;

/** The block-device layer wired as DS wires it, without a framework. */
public final class Layers {
    private Layers() {
    }

    /** @return a layer with every built-in node type, using {@code registry} */
    public static YamlBlockDeviceLayer layer(LayoutRegistry registry) {
        YamlBlockDeviceLayer l = new YamlBlockDeviceLayer(registry);
        add(l, "local_loop", new LocalLoopType());
        add(l, "partitioning", new PartitioningType());
        add(l, "mkfs", new MkfsType());
        add(l, "mount", new MountType());
        add(l, "fstab", new FstabType());
        add(l, "lvm", new LvmType());
        return l;
    }

    /** @return a layer with every built-in node type */
    public static YamlBlockDeviceLayer layer() {
        return layer(new LayoutRegistry());
    }

    /** Registers a node type as DS would. */
    public static void add(YamlBlockDeviceLayer l, String key, NodeType t) {
        l.addNodeType(t, Map.of(NodeType.KEY, key));
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dib.core.build.BuildException;

/**
 * What upstream's {@code getval} reads from the configuration: the root file system's label
 * and type (the mkfs entry mounted at {@code /}), the boot label (the file system mounted at
 * {@code /boot}, else the root's) and every mount point.
 *
 * @param label       the root label
 * @param fsType      the root file system type
 * @param bootLabel   the label of the file system holding {@code /boot}
 * @param mountPoints mkfs node name to mount point, in configuration order
 */
record RootInfo(String label, String fsType, String bootLabel, Map<String, String> mountPoints) {
    static RootInfo of(List<ConfigEntry> entries, String source) throws BuildException {
        Map<String, String> mounts = new LinkedHashMap<>();
        for (ConfigEntry e : entries) {
            if (e.key().equals("mount")) {
                Object mp = e.values().get("mount_point");
                Object base = e.values().get("base");
                if (mp == null || base == null) {
                    throw new BuildException("block-device config (" + source + "): mount '" + e.name()
                            + "' needs 'base' and 'mount_point'");
                }
                mounts.put(String.valueOf(base), String.valueOf(mp));
            }
        }
        ConfigEntry root = mkfsAt("/", entries, mounts);
        if (root == null) {
            throw new BuildException("block-device config (" + source + "): no file system is mounted at '/'");
        }
        ConfigEntry boot = mkfsAt("/boot", entries, mounts);
        String label = root.string("label") != null ? root.string("label") : root.name();
        String bootLabel = boot == null ? label : boot.string("label") != null ? boot.string("label") : boot.name();
        String type = root.string("type");
        if (type == null) {
            throw new BuildException("block-device config (" + source + "): mkfs '" + root.name() + "' needs a 'type'");
        }
        return new RootInfo(label, type, bootLabel, mounts);
    }

    private static ConfigEntry mkfsAt(String mp, List<ConfigEntry> entries, Map<String, String> mounts) {
        for (Map.Entry<String, String> m : mounts.entrySet()) {
            if (m.getValue().equals(mp)) {
                for (ConfigEntry e : entries) {
                    if (e.key().equals("mkfs") && e.name().equals(m.getKey())) {
                        return e;
                    }
                }
            }
        }
        return null;
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;

import dib.core.build.BuildException;

/**
 * The layouts of running builds by build id, so that hook commands (the bootloader) reach
 * the layout of the build that calls them. Thread-safe.
 */
@Component(service = LayoutRegistry.class)
public final class LayoutRegistry {
    private final Map<String, YamlLayout> layouts = new ConcurrentHashMap<>();

    void put(String buildId, YamlLayout layout) {
        layouts.put(buildId, layout);
    }

    void remove(String buildId, YamlLayout layout) {
        layouts.remove(buildId, layout);
    }

    /**
     * @param buildId a build id
     * @return its layout
     * @throws BuildException if the build has none (no block-device layer, or not created yet)
     */
    public YamlLayout get(String buildId) throws BuildException {
        YamlLayout l = layouts.get(buildId);
        if (l == null || !l.created()) {
            throw new BuildException("build " + buildId + " has no disk image yet (the bootloader runs in"
                    + " finalise.d, after the block-device layer created the image)");
        }
        return l;
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.util.Map;

/**
 * One entry of the graph form of the configuration: a node type key and its values
 * ({@code name} always, {@code base} unless it is a level-0 entry).
 *
 * @param key    the node type key ({@code mkfs}, ...)
 * @param values the values, in configuration order
 */
public record ConfigEntry(String key, Map<String, Object> values) {
    /** @return the entry's name */
    public String name() {
        return String.valueOf(values.get("name"));
    }

    /** @return the value of {@code key} as a string, or null */
    public String string(String k) {
        Object v = values.get(k);
        return v == null ? null : String.valueOf(v);
    }
}

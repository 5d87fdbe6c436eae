// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import dib.core.build.BuildException;

/**
 * Reads the YAML block-device configuration and turns its tree form into the graph form,
 * following upstream's rules: a key that names a node type inside an entry is a child entry
 * whose {@code base} defaults to the parent's name and whose missing {@code name} becomes
 * {@code <key>_<base>}; a child's entries come before its parent's in the result; the
 * {@code partitions} list of a {@code partitioning} entry stays inside it (each partition gets
 * the partitioning's {@code base}) while node keys inside a partition become entries based on
 * the partition. An entry already in graph form passes unchanged.
 */
public final class ConfigParser {
    private final Set<String> keys;
    private final String source;

    /**
     * @param keys   the keys of the registered node types
     * @param source where the text came from, for messages
     */
    public ConfigParser(Set<String> keys, String source) {
        this.keys = Set.copyOf(keys);
        this.source = source;
    }

    /**
     * @param text YAML text
     * @return the graph form
     * @throws BuildException for invalid YAML or a malformed entry, naming the source
     */
    public List<ConfigEntry> parse(String text) throws BuildException {
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (MarkedYAMLException e) {
            throw fail("invalid YAML at line " + (e.getProblemMark().getLine() + 1) + ": " + e.getProblem());
        } catch (YAMLException e) {
            throw fail("invalid YAML: " + Messages.describe(e));
        }
        if (!(doc instanceof List<?> list)) {
            throw fail("the configuration must be a YAML list of entries, found "
                    + (doc == null ? "nothing" : describe(doc)));
        }
        List<ConfigEntry> out = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof Map<?, ?> m)) {
                throw fail("config entry not a dict: " + item);
            }
            if (m.size() != 1) {
                throw fail("config entry top-level should be a single dict: " + item);
            }
            Object key = m.keySet().iterator().next();
            if (!keys.contains(String.valueOf(key))) {
                throw fail("config entry is not a plugin value: '" + key + "' (known: " + String.join(", ",
                        new java.util.TreeSet<>(keys)) + ")");
            }
            recurse(String.valueOf(key), m.get(key), null, out);
        }
        return out;
    }

    private void recurse(String key, Object raw, String parentName, List<ConfigEntry> out) throws BuildException {
        if (!(raw instanceof Map<?, ?> values)) {
            throw fail("entry '" + key + "' must be a mapping, found " + describe(raw));
        }
        Map<String, Object> self = new LinkedHashMap<>();
        Object base = values.containsKey("base") ? values.get("base") : parentName;
        if (base != null) {
            self.put("base", base);
        }
        if (values.containsKey("name")) {
            self.put("name", String.valueOf(values.get("name")));
        } else if (base != null) {
            self.put("name", key + "_" + base);
        } else {
            throw fail("entry '" + key + "' needs a 'name'");
        }
        String name = (String) self.get("name");
        for (Map.Entry<?, ?> e : values.entrySet()) {
            String k = String.valueOf(e.getKey());
            if (k.equals("partitions")) {
                if (!(e.getValue() instanceof List<?> parts)) {
                    throw fail("'partitions' of '" + name + "' must be a list");
                }
                List<Object> kept = new ArrayList<>();
                for (Object p : parts) {
                    if (!(p instanceof Map<?, ?> pm)) {
                        throw fail("a partition of '" + name + "' is not a mapping: " + p);
                    }
                    if (!pm.containsKey("name")) {
                        throw fail("a partition of '" + name + "' has no 'name': " + p);
                    }
                    Map<String, Object> part = new LinkedHashMap<>();
                    for (Map.Entry<?, ?> pe : pm.entrySet()) {
                        String pk = String.valueOf(pe.getKey());
                        if (keys.contains(pk)) {
                            recurse(pk, pe.getValue(), String.valueOf(pm.get("name")), out);
                        } else {
                            part.put(pk, pe.getValue());
                        }
                    }
                    part.put("base", self.get("base"));
                    kept.add(part);
                }
                self.put("partitions", kept);
            } else if (keys.contains(k)) {
                recurse(k, e.getValue(), name, out);
            } else if (!k.equals("name") && !k.equals("base")) {
                self.put(k, e.getValue());
            }
        }
        out.add(new ConfigEntry(key, self));
    }

    private static String describe(Object o) {
        return o instanceof List ? "a list" : o instanceof Map ? "a mapping" : "'" + o + "'";
    }

    private BuildException fail(String what) {
        return new BuildException("block-device config (" + source + "): " + what);
    }
}

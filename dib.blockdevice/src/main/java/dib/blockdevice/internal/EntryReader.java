// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dib.blockdevice.PlanContext;
import dib.core.build.BuildException;

/** Reads one configuration entry's values with one-line errors naming the source and entry. */
final class EntryReader {
    private final Map<String, Object> values;
    private final String source;
    private final String what;

    /**
     * @param values the entry's values
     * @param plan   the plan (for the source)
     * @param key    the entry's key, for messages
     */
    EntryReader(Map<String, Object> values, PlanContext plan, String key) {
        this.values = values;
        this.source = plan.source();
        Object n = values.get("name");
        this.what = key + (n == null ? "" : " '" + n + "'");
    }

    private EntryReader(Map<String, Object> values, String source, String what) {
        this.values = values;
        this.source = source;
        this.what = what;
    }

    /** @return a reader for a nested mapping (a partition, a pv) */
    EntryReader nested(Map<String, Object> nestedValues, String nestedWhat) {
        return new EntryReader(nestedValues, source, nestedWhat);
    }

    Map<String, Object> values() {
        return values;
    }

    boolean has(String key) {
        return values.containsKey(key) && values.get(key) != null;
    }

    String required(String key) throws BuildException {
        if (!has(key)) {
            throw error("needs '" + key + "'");
        }
        return String.valueOf(values.get(key));
    }

    String optional(String key, String fallback) {
        return has(key) ? String.valueOf(values.get(key)) : fallback;
    }

    int integer(String key, int fallback) throws BuildException {
        if (!has(key)) {
            return fallback;
        }
        Object v = values.get(key);
        try {
            return v instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(v).strip());
        } catch (NumberFormatException e) {
            throw error("'" + key + "' must be a whole number, not '" + v + "'");
        }
    }

    /** @return the value as a list of strings: a YAML list, or one string split at whitespace */
    List<String> words(String key) {
        List<String> out = new ArrayList<>();
        Object v = values.get(key);
        if (v instanceof List<?> l) {
            for (Object o : l) {
                out.add(String.valueOf(o));
            }
        } else if (v != null) {
            for (String w : String.valueOf(v).strip().split("\\s+")) {
                if (!w.isEmpty()) {
                    out.add(w);
                }
            }
        }
        return out;
    }

    /** @return the value as a list of mappings */
    List<Map<String, Object>> maps(String key) throws BuildException {
        Object v = values.get(key);
        if (!(v instanceof List<?> l)) {
            throw error("'" + key + "' must be a list");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof Map<?, ?> m)) {
                throw error("an item of '" + key + "' is not a mapping: " + o);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> sm = (Map<String, Object>) m;
            out.add(sm);
        }
        return out;
    }

    long size(String key, long available) throws BuildException {
        String spec = required(key);
        try {
            return dib.blockdevice.SizeSpec.parse(spec, available);
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    BuildException error(String message) {
        return new BuildException("block-device config (" + source + "): " + what + ": " + message);
    }
}

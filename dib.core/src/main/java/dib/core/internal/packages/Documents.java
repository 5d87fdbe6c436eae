// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.packages;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/** Reading pkg-map and package-installs documents (JSON is read as YAML, as upstream falls back). */
final class Documents {
    private Documents() {
    }

    static Object parse(String text, String source) throws PackageException {
        LoaderOptions o = new LoaderOptions();
        o.setAllowDuplicateKeys(true); // json.load and yaml.safe_load keep the last value
        try {
            return new Yaml(new SafeConstructor(o)).load(text);
        } catch (MarkedYAMLException e) {
            String problem = e.getProblem() == null ? "syntax error" : e.getProblem();
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new PackageException(source + " is not valid JSON or YAML: " + problem
                    + (line > 0 ? " at line " + line : ""));
        } catch (YAMLException e) {
            throw new PackageException(source + " is not valid JSON or YAML: " + e.getMessage().lines().findFirst()
                    .orElse("syntax error"));
        }
    }

    /** @return the value as a string-keyed map; null is an empty map */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object v, String source, String where) throws PackageException {
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map)) {
            throw new PackageException(source + ": " + where + " must be a mapping, not " + describe(v));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : ((Map<Object, Object>) v).entrySet()) {
            out.put(String.valueOf(e.getKey()), e.getValue());
        }
        return out;
    }

    static String describe(Object v) {
        if (v instanceof Map) {
            return "a mapping";
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof String) {
            return "the string '" + v + "'";
        }
        return v == null ? "nothing" : "'" + v + "'";
    }
}

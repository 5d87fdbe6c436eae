// SPDX-License-Identifier: Apache-2.0
package dib.core.util;

import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * A minimal JSON writer for command output and state files: maps, collections, arrays,
 * records, strings, numbers, booleans, null; anything else is written as its
 * {@code toString()}. Map entries keep the map's order.
 *
 * @since 1.0
 */
public final class Json {
    private Json() {
    }

    /**
     * @param value the value to write
     * @return compact JSON text
     */
    public static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, -1, 0);
        return b.toString();
    }

    /**
     * @param value the value to write
     * @return JSON text indented by two spaces
     */
    public static String pretty(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, 2, 0);
        return b.toString();
    }

    private static void newline(StringBuilder b, int indent, int depth) {
        if (indent >= 0) {
            b.append('\n');
            b.append(" ".repeat(indent * depth));
        }
    }

    private static void write(StringBuilder b, Object v, int indent, int depth) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Short
                || v instanceof Byte) {
            b.append(v);
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            b.append(Double.isFinite(d) ? n.toString() : "null");
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                newline(b, indent, depth + 1);
                string(b, String.valueOf(e.getKey()));
                b.append(indent >= 0 ? ": " : ":");
                write(b, e.getValue(), indent, depth + 1);
            }
            if (!first) {
                newline(b, indent, depth);
            }
            b.append('}');
        } else if (v instanceof Collection<?> c) {
            array(b, c.toArray(), indent, depth);
        } else if (v instanceof Object[] a) {
            array(b, a, indent, depth);
        } else if (v instanceof Record r) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            for (RecordComponent rc : r.getClass().getRecordComponents()) {
                try {
                    rc.getAccessor().setAccessible(true);
                    m.put(rc.getName(), rc.getAccessor().invoke(r));
                } catch (ReflectiveOperationException e) {
                    m.put(rc.getName(), null);
                }
            }
            write(b, m, indent, depth);
        } else if (v instanceof Duration d) {
            b.append(d.toMillis() / 1000.0);
        } else if (v instanceof Instant || v instanceof Path || v instanceof Enum<?>) {
            string(b, v.toString());
        } else {
            string(b, v.toString());
        }
    }

    private static void array(StringBuilder b, Object[] a, int indent, int depth) {
        b.append('[');
        for (int i = 0; i < a.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            newline(b, indent, depth + 1);
            write(b, a[i], indent, depth + 1);
        }
        if (a.length > 0) {
            newline(b, indent, depth);
        }
        b.append(']');
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}

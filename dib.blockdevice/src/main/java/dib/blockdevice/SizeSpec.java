// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Size specifications of the block-device configuration, as upstream reads them: a number
 * (decimals allowed, empty meaning 1), an optional space and a unit: {@code TiB GiB MiB KiB}
 * (powers of 1024), {@code TB GB MB KB} and {@code T G M K} (powers of 1000), {@code B} or
 * nothing for bytes. Partition sizes may also be relative: {@code NN%} of what is left.
 *
 * @since 1.0
 */
public final class SizeSpec {
    private static final Pattern SPEC = Pattern.compile("([0-9.]*) ?([A-Za-z0-9_]*)");

    private SizeSpec() {
    }

    /**
     * @param spec an absolute size such as {@code 550MiB} or {@code 1.5G}
     * @return the size in bytes
     * @throws IllegalArgumentException if it is not a size
     */
    public static long parse(String spec) {
        Matcher m = SPEC.matcher(spec);
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size '" + spec + "'");
        }
        long factor = factor(m.group(2), spec);
        double n;
        try {
            n = m.group(1).isEmpty() ? 1 : Double.parseDouble(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid size '" + spec + "'");
        }
        return (long) (factor * n);
    }

    /**
     * @param spec      an absolute size, or a percentage such as {@code 100%}
     * @param available what a percentage is taken of, in bytes
     * @return the size in bytes
     * @throws IllegalArgumentException if it is not a size
     */
    public static long parse(String spec, long available) {
        if (isRelative(spec)) {
            String p = spec.substring(0, spec.length() - 1);
            try {
                return (long) (available * Double.parseDouble(p) / 100.0);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid size '" + spec + "'");
            }
        }
        return parse(spec);
    }

    /** @return true for a percentage */
    public static boolean isRelative(String spec) {
        return spec.endsWith("%");
    }

    private static long factor(String unit, String spec) {
        switch (unit) {
            case "TiB": return 1L << 40;
            case "GiB": return 1L << 30;
            case "MiB": return 1L << 20;
            case "KiB": return 1L << 10;
            case "TB": case "T": return 1_000_000_000_000L;
            case "GB": case "G": return 1_000_000_000L;
            case "MB": case "M": return 1_000_000L;
            case "KB": case "K": return 1_000L;
            case "B": case "": return 1L;
            default: throw new IllegalArgumentException("unknown unit '" + unit + "' in size '" + spec + "'");
        }
    }
}

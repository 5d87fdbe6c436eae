// SPDX-License-Identifier: Apache-2.0
package dib.core.util;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Quoting for POSIX shells.
 *
 * @since 1.0
 */
public final class Shell {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private Shell() {
    }

    /**
     * @param s any string
     * @return {@code s} quoted so that a POSIX shell reads it back as one word
     */
    public static String quote(String s) {
        if (SAFE.matcher(s).matches()) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * @param words words
     * @return the words quoted and joined by spaces
     */
    public static String join(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(quote(w));
        }
        return b.toString();
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.element;

import java.util.regex.Pattern;

/**
 * The rule for element names: one directory name made of letters, digits, {@code .},
 * {@code _} and {@code -}, not {@code .} or {@code ..}. Upstream imposes no rule, but a name
 * with {@code /} or {@code ..} would escape the element directories, and every element
 * shipped upstream fits this pattern.
 *
 * @since 1.0
 */
public final class ElementNames {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._+-]+");

    private ElementNames() {
    }

    /**
     * @param name  a candidate element name
     * @return true if {@code name} is a valid element name
     */
    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }

    /**
     * @param name  a candidate element name
     * @param where where the name was found (a file, "the command line"), for the message
     * @return {@code name}
     * @throws ElementException with reason {@link ElementException.Reason#INVALID_NAME}
     */
    public static String check(String name, String where) {
        if (!isValid(name)) {
            throw new ElementException(ElementException.Reason.INVALID_NAME,
                    "invalid element name '" + name + "' in " + where
                            + ": an element name is one directory name (letters, digits, '.', '_', '+', '-')");
        }
        return name;
    }
}

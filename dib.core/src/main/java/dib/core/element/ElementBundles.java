// SPDX-License-Identifier: Apache-2.0
package dib.core.element;

import java.nio.file.Path;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The element extender as seen by tools: every bundle whose manifest carries the
 * {@value #HEADER} header, whether its elements were accepted, and why not.
 *
 * <p>The bundle format: the header's value is the folder inside the bundle that holds the
 * element directories, for example {@code DIB-Elements: elements}. Each subdirectory of that
 * folder is one element in the usual diskimage-builder layout. While the bundle is active
 * its elements are offered to every build; when it stops or is uninstalled they disappear.
 * See the README of dib.core for file modes and conflicts.
 *
 * @since 1.0
 */
@ProviderType
public interface ElementBundles {
    /** The manifest header that marks an element bundle. */
    String HEADER = "DIB-Elements";

    /** @return every tracked element bundle, in bundle id order */
    List<Info> bundles();

    /**
     * What the extender made of one bundle.
     *
     * @param bundleId      the bundle id
     * @param symbolicName  the bundle symbolic name
     * @param version       the bundle version
     * @param folder        the value of the header
     * @param elements      the element names found in the folder
     * @param directory     where the elements were unpacked, null if they were not
     * @param problem       why the elements are not offered, null when they are
     */
    record Info(long bundleId, String symbolicName, String version, String folder, List<String> elements,
            Path directory, String problem) {
        /** @return true when the bundle's elements are offered to builds */
        public boolean accepted() {
            return problem == null;
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.packages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dib.core.distro.Distribution;
import dib.core.element.Element;
import dib.core.hook.HookCall;

/** Finds and reads the pkg-map of an element for a hook call. */
final class MapFiles {
    private static final Pattern ELEMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]*");

    private MapFiles() {
    }

    /** @return true when the call comes from inside the image's chroot */
    static boolean inChroot(HookCall call) {
        String root = call.environment().getOrDefault("DIB_CALL_ROOT", "");
        return !root.isEmpty() && !root.equals("/");
    }

    /**
     * The element's map as upstream finds it: {@code /usr/share/pkg-map/ELEMENT} in the image
     * (where the pkg-map element copies every map in extra-data) when called from the chroot,
     * else the element's own {@code pkg-map} file.
     *
     * @return the file as the JVM reaches it, or null when the element has no map
     * @throws PackageException for a name that is not an element name
     */
    static Path find(HookCall call, String element) throws PackageException {
        if (!ELEMENT.matcher(element).matches()) {
            throw new PackageException("'" + element + "' is not an element name");
        }
        if (inChroot(call)) {
            Path inImage = call.build().sandbox().host(call.resolve("/usr/share/pkg-map/" + element));
            if (Files.isRegularFile(inImage)) {
                return inImage;
            }
        }
        Element e = call.build().elements().get(element);
        if (e != null && Files.isRegularFile(e.path().resolve("pkg-map"))) {
            return e.path().resolve("pkg-map");
        }
        return null;
    }

    /** Maps names through an element's map (upstream {@code pkg-map --missing-ok --element E}). */
    static List<String> mapMissingOk(HookCall call, String element, List<String> names,
            Collection<Distribution> distros) throws PackageException {
        Path f = find(call, element);
        if (f == null) {
            return names;
        }
        Map<String, String> env = call.environment();
        String distro = env.getOrDefault("DISTRO_NAME", "");
        return PkgMap.read(f, "pkg-map of element '" + element + "'", distro, Families.of(distro, distros),
                env.get("DIB_RELEASE")).map(names, true);
    }
}

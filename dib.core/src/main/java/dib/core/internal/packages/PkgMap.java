// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.packages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One element's {@code pkg-map}: generic package names to a distribution's names, with
 * upstream's precedence. The effective map starts from {@code default}, is overlaid by
 * {@code family.<family>}, then {@code distro.<DISTRO_NAME>}, then
 * {@code release.<DISTRO_NAME>.<DIB_RELEASE>} ({@code 8-stream} counts as {@code 8}): the
 * most specific section wins. A value may name several packages separated by spaces; an
 * empty value means "install nothing". Immutable.
 */
public final class PkgMap {
    private final String source;
    private final Map<String, String> effective;

    private PkgMap(String source, Map<String, String> effective) {
        this.source = source;
        this.effective = effective;
    }

    /**
     * Reads a pkg-map file (JSON; YAML is accepted as well).
     *
     * @param file    the file
     * @param source  how to name it in messages ("pkg-map of element 'base'")
     * @param distro  {@code DISTRO_NAME}
     * @param family  the distribution's family (may be null)
     * @param release {@code DIB_RELEASE} (may be null)
     * @return the effective map
     * @throws PackageException when the file cannot be read or is not a pkg-map
     */
    public static PkgMap read(Path file, String source, String distro, String family, String release)
            throws PackageException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new PackageException("cannot read the " + source + " (" + file + "): " + e.getMessage());
        }
        Object doc = Documents.parse(text, source + " (" + file + ")");
        return of(doc, source, distro, family, release);
    }

    /**
     * @param doc     the parsed document
     * @param source  how to name it in messages
     * @param distro  {@code DISTRO_NAME}
     * @param family  the family, may be null
     * @param release {@code DIB_RELEASE}, may be null
     * @return the effective map
     * @throws PackageException when the document is not shaped like a pkg-map
     */
    public static PkgMap of(Object doc, String source, String distro, String family, String release)
            throws PackageException {
        Map<String, Object> top = Documents.map(doc, source, "the top level");
        Map<String, String> m = new LinkedHashMap<>();
        overlay(m, top.get("default"), source, "default");
        Map<String, Object> families = Documents.map(top.get("family"), source, "family");
        if (family != null) {
            overlay(m, families.get(family), source, "family." + family);
        }
        Map<String, Object> distros = Documents.map(top.get("distro"), source, "distro");
        overlay(m, distros.get(distro), source, "distro." + distro);
        Map<String, Object> releases = Documents.map(top.get("release"), source, "release");
        if (release != null && releases.get(distro) != null) {
            Map<String, Object> byRelease = Documents.map(releases.get(distro), source, "release." + distro);
            String r = majorRelease(release);
            overlay(m, byRelease.get(r), source, "release." + distro + "." + r);
        }
        return new PkgMap(source, Map.copyOf(m));
    }

    /** Upstream's os_major_release: {@code 8-stream} is release 8, everything else as is. */
    static String majorRelease(String release) {
        return "8-stream".equals(release) ? "8" : release;
    }

    private static void overlay(Map<String, String> into, Object section, String source, String where)
            throws PackageException {
        if (section == null) {
            return;
        }
        for (Map.Entry<String, Object> e : Documents.map(section, source, where).entrySet()) {
            Object v = e.getValue();
            if (v != null && !(v instanceof String) && !(v instanceof Number)) {
                throw new PackageException(source + ": " + where + "." + e.getKey()
                        + " must be a string of package names, not " + Documents.describe(v));
            }
            into.put(e.getKey(), v == null ? "" : v.toString());
        }
    }

    /** @return the effective name to packages map (values are space-separated lists, maybe empty) */
    public Map<String, String> effective() {
        return effective;
    }

    /**
     * Maps names as upstream's {@code pkg-map} prints them: a mapped name gives its packages
     * (one output word per package, none for an empty mapping); an unmapped name is passed
     * through with {@code missingOk}, else it is an error.
     *
     * @param names     generic names
     * @param missingOk pass unmapped names through
     * @return the packages, in order
     * @throws PackageException naming the first unmapped name (upstream's exit status 1)
     */
    public List<String> map(List<String> names, boolean missingOk) throws PackageException {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            String v = effective.get(n);
            if (v == null) {
                if (!missingOk) {
                    throw new PackageException(source + " has no valid mapping for package " + n);
                }
                out.add(n);
            } else {
                for (String w : v.strip().split("\\s+")) {
                    if (!w.isEmpty()) {
                        out.add(w);
                    }
                }
            }
        }
        return out;
    }
}

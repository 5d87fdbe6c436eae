// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.packages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The squash of every element's {@code package-installs.json} / {@code .yaml} into one
 * list per phase, as upstream's {@code package-installs-squash} (same filters, same output
 * shape: {@code {phase: {"install": [[pkg, element], ...], "uninstall": [...]}}}).
 *
 * <p>Per package, the value is nothing, one parameter map or a list of them. A parameter
 * map is skipped when its {@code installtype} differs from the element's install type
 * ({@code DIB_INSTALLTYPE_<element>}, else {@code DIB_DEFAULT_INSTALLTYPE}, else
 * {@code source}), when {@code ARCH} is not in {@code arch} or is in {@code not-arch}
 * (comma-separated), when {@code dib_python_version} differs from
 * {@code DIB_PYTHON_VERSION}, or when a {@code when} condition ({@code VAR = value} or
 * {@code VAR != value}, a list means all) is false. {@code uninstall} removes instead of
 * installing; {@code build-only} installs and removes in the same phase.
 *
 * <p>Conflicts are settled so that the result does not depend on element order: a package
 * is removed at the end of a phase only if nobody installs it in that phase for good (a
 * plain install wins over another element's {@code uninstall} or {@code build-only}).
 * Not thread-safe; one instance per squash.
 */
public final class PackageInstalls {
    /** The phases whose hooks install packages. */
    public static final List<String> PHASES = List.of("pre-install.d", "install.d", "post-install.d");
    private static final Pattern WHEN = Pattern.compile("(\\w+)\\s*(=|!=)\\s*(.*)", Pattern.DOTALL);

    /** A package and the element that asked for it. */
    public record Request(String pkg, String element) {
    }

    private static final class Phase {
        final List<Request> install = new ArrayList<>();
        final List<Request> remove = new ArrayList<>();
        final Set<String> keep = new LinkedHashSet<>();
    }

    private final Map<String, String> env;
    private final Map<String, Phase> phases = new LinkedHashMap<>();

    /** @param env the hook's environment: ARCH, DIB_* and the variables of {@code when} conditions */
    public PackageInstalls(Map<String, String> env) {
        this.env = env;
    }

    /**
     * Adds the declarations of one element's files, JSON first then YAML, as upstream
     * (both are read when both exist).
     *
     * @param element the element name
     * @param dir     the element's directory
     * @return the files read
     * @throws PackageException naming the file and package of a bad declaration
     */
    public List<Path> addElement(String element, Path dir) throws PackageException {
        List<Path> read = new ArrayList<>();
        for (String ext : List.of("json", "yaml")) {
            Path f = dir.resolve("package-installs." + ext);
            if (!Files.isRegularFile(f)) {
                continue;
            }
            String text;
            try {
                text = Files.readString(f);
            } catch (IOException e) {
                throw new PackageException("cannot read " + f + " of element '" + element + "': " + e.getMessage());
            }
            add(element, "package-installs." + ext, Documents.parse(text,
                    "package-installs." + ext + " of element '" + element + "'"));
            read.add(f);
        }
        return read;
    }

    /**
     * Adds one parsed document.
     *
     * @param element the element name
     * @param file    the file name, for messages
     * @param doc     the parsed document (a mapping of package to parameters)
     * @throws PackageException naming the file and package of a bad declaration
     */
    public void add(String element, String file, Object doc) throws PackageException {
        String where = file + " of element '" + element + "'";
        for (Map.Entry<String, Object> e : Documents.map(doc, where, "the top level").entrySet()) {
            String pkg = e.getKey();
            String at = where + ", package '" + pkg + "'";
            for (Map<String, Object> p : params(e.getValue(), at)) {
                addOne(element, pkg, p, at);
            }
        }
    }

    private static List<Map<String, Object>> params(Object v, String at) throws PackageException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (v == null || "".equals(v)) {
            out.add(Map.of());
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                out.add(Map.of());
            }
            for (Object o : l) {
                out.add(o == null ? Map.of() : Documents.map(o, at, "each list item"));
            }
        } else {
            out.add(Documents.map(v, at, "the parameters"));
        }
        return out;
    }

    private void addOne(String element, String pkg, Map<String, Object> p, String at) throws PackageException {
        for (String k : p.keySet()) {
            if (!List.of("phase", "uninstall", "build-only", "installtype", "arch", "not-arch", "dib_python_version",
                    "when").contains(k)) {
                throw new PackageException(at + ": unknown parameter '" + k + "' (known: phase, uninstall, build-only,"
                        + " installtype, arch, not-arch, dib_python_version, when)");
            }
        }
        String phase = p.get("phase") == null ? "install.d" : p.get("phase").toString();
        if (!PHASES.contains(phase)) {
            throw new PackageException(at + ": phase '" + phase + "' is not one of " + String.join(", ", PHASES));
        }
        Object installtype = p.get("installtype");
        if (installtype != null && !installtype.toString().equals(installType(element))) {
            return;
        }
        if (!archAllows(p.get("arch"), p.get("not-arch"), at)) {
            return;
        }
        Object py = p.get("dib_python_version");
        String pyWanted = py == null ? "" : py.toString();
        if (!pyWanted.isEmpty() && !pyWanted.equals(env.getOrDefault("DIB_PYTHON_VERSION", ""))) {
            return;
        }
        if (!when(p.get("when"), at)) {
            return;
        }
        Phase ph = phases.computeIfAbsent(phase, x -> new Phase());
        Request r = new Request(pkg, element);
        boolean buildOnly = truthy(p.get("build-only"));
        if (buildOnly) {
            ph.install.add(r);
            ph.remove.add(r);
        } else if (truthy(p.get("uninstall"))) {
            ph.remove.add(r);
        } else {
            ph.install.add(r);
            ph.keep.add(pkg);
        }
    }

    /** Upstream: {@code DIB_INSTALLTYPE_<element, - as _>}, else {@code DIB_DEFAULT_INSTALLTYPE}, else source. */
    String installType(String element) {
        String own = env.get("DIB_INSTALLTYPE_" + element.replace('-', '_'));
        if (own != null) {
            return own;
        }
        return env.getOrDefault("DIB_DEFAULT_INSTALLTYPE", "source");
    }

    private boolean archAllows(Object arch, Object notArch, String at) throws PackageException {
        boolean hasArch = arch != null && !arch.toString().isEmpty();
        boolean hasNot = notArch != null && !notArch.toString().isEmpty();
        if (hasArch && hasNot) {
            throw new PackageException(at + ": arch and not-arch given together (use one)");
        }
        if (!hasArch && !hasNot) {
            return true;
        }
        String current = env.getOrDefault("ARCH", "");
        boolean listed = false;
        for (String a : (hasArch ? arch : notArch).toString().split(",")) {
            listed |= a.strip().equals(current);
        }
        return hasArch ? listed : !listed;
    }

    private boolean when(Object w, String at) throws PackageException {
        if (w == null) {
            return true;
        }
        List<?> all = w instanceof List<?> l ? l : List.of(w);
        boolean ok = true;
        for (Object o : all) {
            if (!(o instanceof String s)) {
                throw new PackageException(at + ": malformed when: " + Documents.describe(o)
                        + " (expected 'VAR = value' or 'VAR != value')");
            }
            Matcher m = WHEN.matcher(s.strip());
            if (!m.lookingAt()) {
                throw new PackageException(at + ": malformed when: '" + s + "' (expected 'VAR = value' or 'VAR != value')");
            }
            String var = m.group(1);
            String value = env.get(var);
            if (value == null) {
                throw new PackageException(at + ": when: '" + s.strip() + "' tests " + var
                        + ", which is not set (give it a default in an environment.d file)");
            }
            boolean eq = value.equals(m.group(3));
            ok &= m.group(2).equals("=") ? eq : !eq;
        }
        return ok;
    }

    private static boolean truthy(Object v) {
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().strip().toLowerCase(java.util.Locale.ROOT);
        return !(s.isEmpty() || s.equals("0") || s.equals("false") || s.equals("no") || s.equals("off"));
    }

    /**
     * @return the squashed lists: phase to {"install": [[pkg, element]...], "uninstall": [...]};
     *         a package stays off the uninstall list of a phase in which someone installs it for good
     */
    public Map<String, Map<String, List<List<String>>>> result() {
        Map<String, Map<String, List<List<String>>>> out = new LinkedHashMap<>();
        for (String phase : PHASES) {
            Phase ph = phases.get(phase);
            if (ph == null) {
                continue;
            }
            Map<String, List<List<String>>> m = new LinkedHashMap<>();
            List<List<String>> inst = new ArrayList<>();
            for (Request r : ph.install) {
                inst.add(List.of(r.pkg(), r.element()));
            }
            List<List<String>> rem = new ArrayList<>();
            for (Request r : ph.remove) {
                if (!ph.keep.contains(r.pkg())) {
                    rem.add(List.of(r.pkg(), r.element()));
                }
            }
            if (!inst.isEmpty()) {
                m.put("install", inst);
            }
            if (!rem.isEmpty()) {
                m.put("uninstall", rem);
            }
            if (!m.isEmpty()) {
                out.put(phase, m);
            }
        }
        return out;
    }

    /**
     * Reads the requests of one phase from a squashed file's document.
     *
     * @param doc       the parsed squashed file
     * @param phase     the phase directory name
     * @param uninstall the uninstall list instead of the install list
     * @param source    the file, for messages
     * @return the requests in file order
     * @throws PackageException when the document is not a squashed file
     */
    public static List<Request> requests(Object doc, String phase, boolean uninstall, String source)
            throws PackageException {
        Map<String, Object> top = Documents.map(doc, source, "the top level");
        Map<String, Object> ph = Documents.map(top.get(phase), source, phase);
        Object list = ph.get(uninstall ? "uninstall" : "install");
        List<Request> out = new ArrayList<>();
        if (list == null) {
            return out;
        }
        if (!(list instanceof List<?> l)) {
            throw new PackageException(source + ": " + phase + " must hold lists");
        }
        for (Object o : l) {
            if (!(o instanceof List<?> pair) || pair.size() != 2) {
                throw new PackageException(source + ": entries must be [package, element] pairs, not "
                        + Documents.describe(o));
            }
            out.add(new Request(String.valueOf(pair.get(0)), String.valueOf(pair.get(1))));
        }
        return out;
    }
}

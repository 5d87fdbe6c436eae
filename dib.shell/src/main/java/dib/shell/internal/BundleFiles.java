// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipException;

/**
 * What {@code install} needs to know about a bundle before it is handed to the framework:
 * where it comes from (a file, a URL, or Maven coordinates resolved in the local Maven
 * repository), whether it is a bundle at all, and which elements it carries (read the way
 * dib.core's element extender reads them). Every problem is a one-line {@link CommandFailure}.
 */
public final class BundleFiles {
    static final int TIMEOUT_MS = 30_000;
    private static final Pattern MVN_URL = Pattern.compile("mvn:([^/]+)/([^/]+)/([^/]+)(?:/([^/]*))?(?:/([^/]+))?");
    private static final Pattern COORDS = Pattern.compile("[\\w.-]+(:[\\w.-]+){2,4}");

    private BundleFiles() {
    }

    /**
     * A checked bundle file.
     *
     * @param file           the jar (a temporary copy for URLs)
     * @param symbolicName   its Bundle-SymbolicName without attributes
     * @param version        its Bundle-Version (0.0.0 if none), as written
     * @param elementsFolder the DIB-Elements header, or null
     * @param elements       element name to its element-deps, in name order
     * @param temporary      true if {@code file} is a download to delete afterwards
     */
    public record Candidate(Path file, String symbolicName, String version, String elementsFolder,
            Map<String, List<String>> elements, boolean temporary) {
    }

    /**
     * @param location a path, a {@code file:} or other URL, {@code mvn:g/a/v[/type[/classifier]]}
     *                 or Maven coordinates {@code g:a[:type[:classifier]]:v}
     * @param cwd      the directory relative paths are resolved against
     * @param tmp      where to put downloads
     * @return the checked file
     * @throws CommandFailure naming the location if it cannot be found, fetched or read, or if
     *                        it is not a bundle, or if its DIB-Elements folder is missing or empty
     */
    public static Candidate resolve(String location, Path cwd, Path tmp) {
        Path file;
        boolean temp = false;
        Path asPath = location.contains("\0") ? null : cwd.resolve(location);
        if (location.startsWith("file:")) {
            try {
                file = Path.of(URI.create(location));
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(1, "install: " + location + " is not a valid file URL");
            }
            exists(file, location);
        } else if (location.startsWith("mvn:") || (COORDS.matcher(location).matches()
                && !Files.exists(asPath))) {
            file = maven(location);
        } else if (location.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            file = download(location, tmp);
            temp = true;
        } else {
            file = asPath.toAbsolutePath().normalize();
            exists(file, location);
        }
        try {
            return inspect(file, location, temp);
        } catch (CommandFailure f) {
            if (temp) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temporary file in the process's own temp dir
                }
            }
            throw f;
        }
    }

    private static void exists(Path file, String location) {
        if (Files.isDirectory(file)) {
            throw new CommandFailure(1, "install: " + location + " is a directory, not a bundle jar");
        }
        if (!Files.isRegularFile(file)) {
            throw new CommandFailure(1, "install: " + location + ": no such file");
        }
    }

    private static Path download(String location, Path tmp) {
        Path file = null;
        try {
            Files.createDirectories(tmp);
            file = Files.createTempFile(tmp, "dib-install-", ".jar");
            URLConnection c = URI.create(location).toURL().openConnection();
            c.setConnectTimeout(TIMEOUT_MS);
            c.setReadTimeout(TIMEOUT_MS);
            if (c instanceof HttpURLConnection h && h.getResponseCode() / 100 != 2) {
                throw new IOException("HTTP " + h.getResponseCode() + " " + h.getResponseMessage());
            }
            try (InputStream in = c.getInputStream()) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } catch (IOException | IllegalArgumentException e) {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // best effort
                }
            }
            throw new CommandFailure(1, "install: cannot fetch " + location + ": " + e.getMessage(), e);
        }
    }

    /** @return the local Maven repository: -Dmaven.repo.local, ~/.m2/settings.xml, or ~/.m2/repository */
    public static Path localRepository() {
        String p = System.getProperty("maven.repo.local");
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        Path m2 = Path.of(System.getProperty("user.home"), ".m2");
        Path settings = m2.resolve("settings.xml");
        if (Files.isRegularFile(settings)) {
            try {
                Matcher m = Pattern.compile("<localRepository>\\s*([^<]+?)\\s*</localRepository>")
                        .matcher(Files.readString(settings, StandardCharsets.UTF_8));
                if (m.find()) {
                    return Path.of(m.group(1).replace("${user.home}", System.getProperty("user.home")));
                }
            } catch (IOException e) {
                // the default applies
            }
        }
        return m2.resolve("repository");
    }

    private static Path maven(String location) {
        String g;
        String a;
        String v;
        String type = "jar";
        String classifier = null;
        Matcher m = MVN_URL.matcher(location);
        if (m.matches()) {
            g = m.group(1);
            a = m.group(2);
            v = m.group(3);
            if (m.group(4) != null && !m.group(4).isEmpty()) {
                type = m.group(4);
            }
            classifier = m.group(5);
        } else if (COORDS.matcher(location).matches()) {
            String[] p = location.split(":");
            g = p[0];
            a = p[1];
            v = p[p.length - 1];
            if (p.length >= 4) {
                type = p[2];
            }
            if (p.length == 5) {
                classifier = p[3];
            }
        } else {
            throw new CommandFailure(1, "install: " + location
                    + " is not Maven coordinates (groupId:artifactId:version or mvn:groupId/artifactId/version)");
        }
        Path repo = localRepository();
        Path f = repo.resolve(Path.of(g.replace('.', '/'), a, v,
                a + "-" + v + (classifier == null ? "" : "-" + classifier) + "." + type));
        if (!Files.isRegularFile(f)) {
            throw new CommandFailure(1, "install: " + location + " is not in the local Maven repository (no " + f
                    + "; 'mvn install' it, or give the jar's path)");
        }
        return f;
    }

    /**
     * @throws CommandFailure if the file is not a bundle, or names a DIB-Elements folder that
     *                        is missing or holds no element directory
     */
    public static Candidate inspect(Path file, String location, boolean temp) {
        try (JarFile jar = new JarFile(file.toFile())) {
            Attributes a = jar.getManifest() == null ? null : jar.getManifest().getMainAttributes();
            String bsn = a == null ? null : a.getValue("Bundle-SymbolicName");
            if (bsn == null || bsn.isBlank()) {
                throw new CommandFailure(1, "install: " + location
                        + " is not an OSGi bundle (its manifest has no Bundle-SymbolicName)");
            }
            bsn = bsn.split(";")[0].strip();
            String version = a.getValue("Bundle-Version") == null ? "0.0.0" : a.getValue("Bundle-Version").strip();
            String folder = a.getValue("DIB-Elements");
            Map<String, List<String>> elements = new TreeMap<>();
            if (folder != null) {
                String f = folder.strip().replaceAll("^/+|/+$", "");
                if (f.isEmpty() || f.contains("..")) {
                    throw new CommandFailure(1, "install: bundle " + bsn + " (" + location + ") has an invalid"
                            + " DIB-Elements header '" + folder.strip() + "' (a folder inside the bundle is expected)");
                }
                String prefix = f + "/";
                boolean any = false;
                Map<String, String> deps = new LinkedHashMap<>();
                for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements();) {
                    JarEntry e = en.nextElement();
                    String n = e.getName();
                    if (!n.startsWith(prefix)) {
                        continue;
                    }
                    any = true;
                    String rest = n.substring(prefix.length());
                    int slash = rest.indexOf('/');
                    if (slash <= 0 || rest.startsWith(".")) {
                        continue; // a plain file in the folder, or a hidden entry: not an element
                    }
                    String name = rest.substring(0, slash);
                    elements.putIfAbsent(name, new ArrayList<>());
                    if (rest.equals(name + "/element-deps") && !e.isDirectory()) {
                        try (InputStream in = jar.getInputStream(e)) {
                            deps.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                        }
                    }
                }
                if (!any) {
                    throw new CommandFailure(1, "install: bundle " + bsn + " (" + location
                            + ") names DIB-Elements folder '" + f + "', which it does not contain");
                }
                if (elements.isEmpty()) {
                    throw new CommandFailure(1, "install: bundle " + bsn + " (" + location
                            + "): its DIB-Elements folder '" + f + "' holds no element directories");
                }
                deps.forEach((el, text) -> text.lines().map(String::strip).filter(l -> !l.isEmpty())
                        .forEach(elements.get(el)::add));
            }
            return new Candidate(file, bsn, version, folder, elements, temp);
        } catch (ZipException e) {
            throw new CommandFailure(1, "install: " + location + " is not a bundle (not a jar file)");
        } catch (IOException e) {
            throw new CommandFailure(1, "install: cannot read " + location + ": " + e.getMessage(), e);
        }
    }
}

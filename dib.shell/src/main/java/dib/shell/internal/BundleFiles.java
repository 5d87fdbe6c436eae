// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipException;

/**
 * What {@code install} needs to know about a bundle file before it is handed to the
 * framework: where it comes from (a file, a URL, or Maven coordinates resolved from the
 * local repository), whether it is a bundle, and which elements it carries.
 */
final class BundleFiles {
    private BundleFiles() {
    }

    /** A checked bundle file. */
    record Candidate(Path file, String symbolicName, String version, String elementsFolder, List<String> elements,
            boolean temporary) {
    }

    /**
     * @param location a path, a URL, or {@code groupId:artifactId:version}
     * @param cwd      the directory relative paths are resolved against
     * @return the file, downloaded to a temporary file if it was a URL
     * @throws CommandFailure naming the location if it cannot be found or fetched
     */
    static Candidate resolve(String location, Path cwd) {
        Path file;
        boolean temp = false;
        if (location.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            try {
                file = Files.createTempFile("dib-install-", ".jar");
                try (InputStream in = URI.create(location).toURL().openStream()) {
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                }
                temp = true;
            } catch (IOException | IllegalArgumentException e) {
                throw new CommandFailure(1, "install: cannot fetch " + location + ": " + e.getMessage());
            }
        } else if (!location.contains("/") && location.split(":").length >= 3) {
            file = maven(location);
        } else {
            file = cwd.resolve(location).toAbsolutePath().normalize();
            if (!Files.isRegularFile(file)) {
                throw new CommandFailure(1, "install: " + location + ": no such file");
            }
        }
        return inspect(file, location, temp);
    }

    private static Path maven(String coords) {
        String[] p = coords.split(":");
        String repo = System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        Path f = Path.of(repo, p[0].replace('.', '/'), p[1], p[2], p[1] + "-" + p[2] + ".jar");
        if (!Files.isRegularFile(f)) {
            throw new CommandFailure(1, "install: " + coords + " is not in the local Maven repository (" + f + ")");
        }
        return f;
    }

    private static Candidate inspect(Path file, String location, boolean temp) {
        try (JarFile jar = new JarFile(file.toFile())) {
            Attributes a = jar.getManifest() == null ? null : jar.getManifest().getMainAttributes();
            String bsn = a == null ? null : a.getValue("Bundle-SymbolicName");
            if (bsn == null) {
                throw new CommandFailure(1, "install: " + location
                        + " is not an OSGi bundle (its manifest has no Bundle-SymbolicName)");
            }
            bsn = bsn.split(";")[0].strip();
            String version = a.getValue("Bundle-Version") == null ? "0.0.0" : a.getValue("Bundle-Version").strip();
            String folder = a.getValue("DIB-Elements");
            List<String> elements = new ArrayList<>();
            if (folder != null) {
                String prefix = folder.strip().replaceAll("^/+|/+$", "") + "/";
                TreeSet<String> names = new TreeSet<>();
                boolean any = false;
                for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements();) {
                    String n = en.nextElement().getName();
                    if (n.startsWith(prefix)) {
                        any = true;
                        String rest = n.substring(prefix.length());
                        int slash = rest.indexOf('/');
                        if (slash > 0) {
                            names.add(rest.substring(0, slash));
                        }
                    }
                }
                if (!any) {
                    throw new CommandFailure(1, "install: bundle " + bsn + " (" + location
                            + ") names DIB-Elements folder '" + folder.strip() + "', which it does not contain");
                }
                if (names.isEmpty()) {
                    throw new CommandFailure(1, "install: bundle " + bsn + " (" + location
                            + "): its DIB-Elements folder '" + folder.strip() + "' holds no element directories");
                }
                elements.addAll(names);
            }
            return new Candidate(file, bsn, version, folder, elements, temp);
        } catch (ZipException e) {
            throw new CommandFailure(1, "install: " + location + " is not a bundle (not a jar file)");
        } catch (IOException e) {
            throw new CommandFailure(1, "install: cannot read " + location + ": " + e.getMessage());
        }
    }
}

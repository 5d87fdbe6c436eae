// SPDX-License-Identifier: Apache-2.0
package dib.itest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The bundles of the packaged assembly, {@code dib.app/target/dib.jar}: exactly the jars its
 * launcher starts ({@code launch.bundles} of its {@code launcher.properties}), unpacked so
 * Pax Exam can install them from {@code file:} URLs (mvn: URLs cannot see reactor artifacts).
 * Only the console bundle, gogo.jline, is left out.
 */
final class Assembly {
    /** One bundle of the assembly. */
    record Bundle(String fileName, String url) {
    }

    private Assembly() {
    }

    static List<Bundle> bundles() {
        Path jar = Path.of(System.getProperty("dib.app.jar", "../dib.app/target/dib.jar"));
        Path dir = Cli.WORK.resolve("assembly");
        List<Bundle> out = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Properties p = new Properties();
            try (InputStream in = zip.getInputStream(zip.getEntry("launcher.properties"))) {
                p.load(in);
            }
            Files.createDirectories(dir);
            for (String entry : p.getProperty("launch.bundles").split(",")) {
                if (entry.contains("org.apache.felix.gogo.jline-")) {
                    continue; // the interactive console: dib starts it only on a terminal (level 20)
                }
                ZipEntry z = zip.getEntry(entry.strip());
                Path target = dir.resolve(Path.of(z.getName()).getFileName());
                try (InputStream in = zip.getInputStream(z)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                out.add(new Bundle(target.getFileName().toString(), target.toUri().toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the assembly " + jar + " (is dib.app packaged?)", e);
        }
        return out;
    }
}

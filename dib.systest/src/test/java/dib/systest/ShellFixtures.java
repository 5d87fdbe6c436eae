// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** The example bundles the reactor built, and hand-made bad bundles for the shell tests. */
final class ShellFixtures {
    private ShellFixtures() {
    }

    /** @return dib.example.elements's jar (built before dib.systest by the reactor) */
    static Path elementsJar() throws IOException {
        return built("dib.example.elements");
    }

    /** @return dib.example.distro's jar */
    static Path distroJar() throws IOException {
        return built("dib.example.distro");
    }

    private static Path built(String module) throws IOException {
        Path target = Dib.TOP.resolve(module).resolve("target");
        try (var s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().matches(module.replace(".", "\\.") + "-[0-9].*\\.jar")
                    && !p.getFileName().toString().matches(".*-(sources|tests|javadoc)\\.jar")).findFirst()
                    .orElseThrow(() -> new IOException("no " + module + " jar in " + target + "; build the reactor"));
        }
    }

    /**
     * Writes a jar with a manifest and files.
     *
     * @param manifest main attributes (Manifest-Version is added)
     * @param files    entry name to content; a name ending in / is a directory
     */
    static Path jar(Path file, Map<String, String> manifest, Map<String, String> files) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.forEach((k, v) -> mf.getMainAttributes().putValue(k, v));
        try (OutputStream o = Files.newOutputStream(file); JarOutputStream j = new JarOutputStream(o, mf)) {
            for (Map.Entry<String, String> e : files.entrySet()) {
                j.putNextEntry(new JarEntry(e.getKey()));
                if (!e.getKey().endsWith("/")) {
                    j.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                }
                j.closeEntry();
            }
        }
        return file;
    }

    /** @return a bundle manifest for symbolic name {@code bsn}, carrying elements in {@code elements/} */
    static Map<String, String> elementBundle(String bsn) {
        return Map.of("Bundle-ManifestVersion", "2", "Bundle-SymbolicName", bsn, "Bundle-Version", "1.0.0",
                "DIB-Elements", "elements");
    }

    /** Writes a zip file without a manifest. */
    static Path zip(Path file, String entry, String content) throws IOException {
        try (OutputStream o = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(o)) {
            z.putNextEntry(new ZipEntry(entry));
            z.write(content.getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        return file;
    }

    /** @return the names of the files in a tar archive (as tar lists them: ./etc/motd) */
    static String tarList(Path tar) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tar", "-tf", tar.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /** @return one file's content from a tar archive */
    static String tarFile(Path tar, String name) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tar", "-xOf", tar.toString(), name).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}

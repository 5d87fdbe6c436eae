// SPDX-License-Identifier: Apache-2.0
package dib.itest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.X5455_ExtendedTimestamp;
import org.apache.commons.compress.archivers.zip.X7875_NewUnix;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Builds element bundles as a vendor would: a jar with {@code Bundle-SymbolicName},
 * {@code Bundle-ManifestVersion: 2}, {@code DIB-Elements} and element directories. Two
 * flavours: {@link #writeWithModes} stores Unix modes and symlinks (as {@code zip -y} or
 * bnd on Unix do), {@link #writeWithoutModes} stores none and no directory entries either
 * (as {@code java.util.jar} and many Windows tools do).
 */
final class ElementJar {
    private record Entry(byte[] data, int mode, boolean symlink) {
    }

    private final String symbolicName;
    private String version = "1.0.0";
    private String header = "elements";
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private boolean infoZip;

    ElementJar(String symbolicName) {
        this.symbolicName = symbolicName;
    }

    ElementJar version(String v) {
        version = v;
        return this;
    }

    /** @param folder the DIB-Elements header value, or null for no header */
    ElementJar header(String folder) {
        header = folder;
        return this;
    }

    /**
     * Adds the extra fields Info-ZIP's {@code zip -r -y} writes on Linux (Unix uid/gid "ux" and
     * extended timestamp "UT") to every entry of {@link #writeWithModes}.
     */
    ElementJar infoZipExtraFields() {
        infoZip = true;
        return this;
    }

    /** A file at {@code path} (inside the jar) with the given Unix permission bits. */
    ElementJar file(String path, String content, int mode) {
        return file(path, content.getBytes(StandardCharsets.UTF_8), mode);
    }

    ElementJar file(String path, byte[] content, int mode) {
        entries.put(path, new Entry(content, mode, false));
        return this;
    }

    ElementJar symlink(String path, String target) {
        entries.put(path, new Entry(target.getBytes(StandardCharsets.UTF_8), 0777, true));
        return this;
    }

    private Manifest manifest() {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", symbolicName);
        a.putValue("Bundle-Version", version);
        if (header != null) {
            a.putValue("DIB-Elements", header);
        }
        return m;
    }

    /** Writes the jar with Unix modes on every entry, directories included. */
    Path writeWithModes(Path dir) throws IOException {
        Path jar = Files.createDirectories(dir).resolve(symbolicName + "-" + version + ".jar");
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(jar)) {
            put(zip, "META-INF/", null, 040755);
            try (var buf = new java.io.ByteArrayOutputStream()) {
                manifest().write(buf);
                put(zip, "META-INF/MANIFEST.MF", buf.toByteArray(), 0100644);
            }
            TreeSet<String> dirs = new TreeSet<>();
            for (String p : entries.keySet()) {
                for (int i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) {
                    dirs.add(p.substring(0, i + 1));
                }
            }
            for (String d : dirs) {
                put(zip, d, null, 040755);
            }
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                Entry x = e.getValue();
                put(zip, e.getKey(), x.data, (x.symlink ? 0120000 : 0100000) | x.mode);
            }
        }
        return jar;
    }

    private void put(ZipArchiveOutputStream zip, String name, byte[] data, int unixMode) throws IOException {
        ZipArchiveEntry z = new ZipArchiveEntry(name);
        z.setUnixMode(unixMode);
        if (infoZip) {
            X7875_NewUnix ux = new X7875_NewUnix();
            ux.setUID(0);
            ux.setGID(0);
            X5455_ExtendedTimestamp ut = new X5455_ExtendedTimestamp();
            ut.setModifyJavaTime(new java.util.Date(0));
            z.addExtraField(ux);
            z.addExtraField(ut);
        }
        zip.putArchiveEntry(z);
        if (data != null) {
            zip.write(data);
        }
        zip.closeArchiveEntry();
    }

    /** Writes the jar with {@code java.util.jar}: no Unix modes, no symlinks, no directory entries. */
    Path writeWithoutModes(Path dir) throws IOException {
        Path jar = Files.createDirectories(dir).resolve(symbolicName + "-" + version + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest())) {
            List<String> names = new ArrayList<>(entries.keySet());
            for (String n : names) {
                Entry x = entries.get(n);
                if (x.symlink) {
                    throw new IllegalArgumentException("a jar without Unix modes cannot hold the symlink " + n);
                }
                j.putNextEntry(new JarEntry(n));
                j.write(x.data);
                j.closeEntry();
            }
        }
        return jar;
    }
}

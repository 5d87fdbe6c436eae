// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.build;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import dib.core.internal.io.FileTrees;

/**
 * What a running build owns outside its namespaces, on disk under the state directory
 * ({@code /run/dib/builds}), so that {@code dib gc} can release the leftovers of a process
 * that was killed: the build and image directories, partial outputs, and the identities of
 * the owning JVM and the namespace holder (PID plus start time, so a recycled PID is never
 * mistaken for the owner). Written atomically on every change; removed when the build has
 * cleaned up after itself.
 */
final class Ledger {
    private final Path file;
    private final Properties p = new Properties();

    Ledger(Path file) {
        this.file = file;
    }

    static Ledger load(Path file) throws IOException {
        Ledger l = new Ledger(file);
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            l.p.load(r);
        }
        return l;
    }

    Path file() {
        return file;
    }

    synchronized Ledger set(String key, String value) {
        if (value == null) {
            p.remove(key);
        } else {
            p.setProperty(key, value);
        }
        return this;
    }

    synchronized String get(String key) {
        return p.getProperty(key);
    }

    synchronized void addPartial(Path partial) throws IOException {
        int n = 0;
        while (p.containsKey("partial." + n)) {
            n++;
        }
        p.setProperty("partial." + n, partial.toString());
        save();
    }

    synchronized List<Path> partials() {
        List<Path> out = new ArrayList<>();
        for (int n = 0; p.containsKey("partial." + n); n++) {
            out.add(Path.of(p.getProperty("partial." + n)));
        }
        return out;
    }

    synchronized void save() throws IOException {
        StringWriter w = new StringWriter();
        p.store(w, "dib build ledger: what this build owns; read by 'dib gc'");
        FileTrees.replace(file, w.toString());
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // gc will find it; the owner check keeps it harmless
        }
    }

    /** @return the start time of {@code pid} in clock ticks since boot, or -1 if it is gone */
    static long startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[19]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** @return true if the process recorded under {@code prefix} (.pid/.start) still runs */
    boolean alive(String prefix) {
        String pid = get(prefix + ".pid");
        String start = get(prefix + ".start");
        if (pid == null || start == null) {
            return false;
        }
        long s = startTime(Long.parseLong(pid));
        return s >= 0 && Long.toString(s).equals(start);
    }
}

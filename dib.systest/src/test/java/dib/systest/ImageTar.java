// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code -t tar} output with the host's tar: what is in it, with modes and owners,
 * and the content of single members. Members are named as in the archive, {@code ./etc/x}.
 */
public final class ImageTar {
    /** One member: type and permission string as {@code ls -l} shows it, numeric owner. */
    public record Entry(String name, String mode, String owner, long size) {
        /** @return true for a directory */
        public boolean directory() {
            return mode.startsWith("d");
        }
    }

    private final Path tar;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** Lists {@code tar} once; fails the test when tar cannot read it. */
    public ImageTar(Path tar) throws IOException, InterruptedException {
        this.tar = tar;
        for (String line : Commands.run(null, "tar", "--numeric-owner", "-tvf", tar.toString()).lines().toList()) {
            // -rw------- 0/0   57 2026-11-26 05:27 ./etc/dib-manifests/dib_arguments
            String[] f = line.split(" +", 6);
            if (f.length < 6) {
                continue;
            }
            String name = f[5];
            int arrow = name.indexOf(" -> ");
            if (f[0].startsWith("l") && arrow >= 0) {
                name = name.substring(0, arrow);
            }
            name = name.replaceAll("/$", "");
            entries.put(name, new Entry(name, f[0], f[1], Long.parseLong(f[2])));
        }
    }

    /** @return the member, or null */
    public Entry entry(String name) {
        return entries.get(name);
    }

    /** @return true when the archive holds {@code name} */
    public boolean has(String name) {
        return entries.containsKey(name);
    }

    /** @return the names of all members below {@code dir} (not the directory itself) */
    public List<String> under(String dir) {
        List<String> out = new ArrayList<>();
        for (String n : entries.keySet()) {
            if (n.startsWith(dir + "/")) {
                out.add(n);
            }
        }
        return out;
    }

    /** @return the content of a regular member, or null when it is missing */
    public String read(String name) throws IOException, InterruptedException {
        if (!has(name)) {
            return null;
        }
        Process p = new ProcessBuilder("tar", "-xOf", tar.toString(), name).redirectErrorStream(false).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.getErrorStream().readAllBytes();
        return p.waitFor() == 0 ? s : null;
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.distro.debian.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The build host's own Debian mirror, the default of {@code DIB_DISTRIBUTION_MIRROR}: the
 * first archive URI of the host's apt sources whose path ends in {@code /debian}
 * (deb822 {@code *.sources} first, then one-line {@code sources.list} files), else
 * {@value #FALLBACK}. The same rule as the debian-minimal element's environment.d.
 */
public final class HostMirror {
    public static final String FALLBACK = "http://deb.debian.org/debian";

    private HostMirror() {
    }

    /** @return the host's Debian mirror, or the fallback */
    public static String find(Path etcApt) {
        for (String uri : uris(etcApt)) {
            String u = uri.replaceAll("/+$", "");
            if (u.matches("(?i)(https?|ftp|file)://.*/debian")) {
                return u;
            }
        }
        return FALLBACK;
    }

    static List<String> uris(Path etcApt) {
        List<String> out = new ArrayList<>();
        List<Path> deb822 = new ArrayList<>();
        List<Path> oneLine = new ArrayList<>();
        Path main = etcApt.resolve("sources.list");
        try (DirectoryStream<Path> s = Files.newDirectoryStream(etcApt.resolve("sources.list.d"))) {
            for (Path p : s) {
                (p.toString().endsWith(".sources") ? deb822 : oneLine).add(p);
            }
        } catch (IOException e) {
            // no sources.list.d
        }
        deb822.sort(null);
        oneLine.sort(null);
        oneLine.add(0, main);
        for (Path p : deb822) {
            for (String line : lines(p)) {
                if (line.regionMatches(true, 0, "URIs:", 0, 5)) {
                    for (String w : line.substring(5).strip().split("\\s+")) {
                        if (!w.isEmpty()) {
                            out.add(w);
                        }
                    }
                }
            }
        }
        for (Path p : oneLine) {
            if (!p.getFileName().toString().endsWith(".list")) {
                continue;
            }
            for (String line : lines(p)) {
                String[] w = line.strip().replaceAll("\\[[^]]*\\]", " ").strip().split("\\s+");
                if (w.length >= 2 && w[0].equals("deb")) {
                    out.add(w[1]);
                }
            }
        }
        return out;
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            return List.of();
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a build may leave behind, restricted to one test's own TMP_DIR (other tests and
 * engineers may run builds on this machine at the same time): directories in it, mounts
 * under it, loop devices backed by files in it, and processes whose command line, working
 * directory or root refers to it.
 */
public final class Leftovers {
    private Leftovers() {
    }

    /** @return a description of everything left under {@code tmp}; empty when clean */
    public static List<String> under(Path tmp) throws IOException {
        List<String> found = new ArrayList<>();
        String t = tmp.toString();
        if (Files.isDirectory(tmp)) {
            try (var s = Files.list(tmp)) {
                s.forEach(p -> found.add("file " + p));
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mp = line.split(" ")[4];
            if (mp.startsWith(t)) {
                found.add("mount " + mp);
            }
        }
        try (var s = Files.list(Path.of("/sys/block"))) {
            for (Path b : (Iterable<Path>) s::iterator) {
                Path bf = b.resolve("loop/backing_file");
                if (Files.exists(bf) && Files.readString(bf).startsWith(t)) {
                    found.add("loop /dev/" + b.getFileName() + " -> " + Files.readString(bf).strip());
                }
            }
        }
        try (var s = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!p.getFileName().toString().matches("\\d+")) {
                    continue;
                }
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
                    String cwd = Files.readSymbolicLink(p.resolve("cwd")).toString();
                    if (cmd.contains(t) || cwd.startsWith(t)) {
                        found.add("process " + p.getFileName() + ": " + cmd.strip());
                    }
                } catch (IOException | RuntimeException gone) {
                    // exited meanwhile
                }
            }
        }
        return found;
    }

    /** @return processes whose command line contains {@code marker} */
    public static List<String> processes(String marker) throws IOException {
        List<String> found = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (var s = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String pid = p.getFileName().toString();
                if (!pid.matches("\\d+") || pid.equals(Long.toString(self))) {
                    continue;
                }
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
                    if (cmd.contains(marker)) {
                        found.add(pid + ": " + cmd.strip());
                    }
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
        }
        return found;
    }
}

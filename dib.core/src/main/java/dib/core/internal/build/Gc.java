// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import dib.core.internal.io.FileTrees;

/**
 * Finds what builds of dead processes left behind and releases it. A build normally leaves
 * nothing: its mounts and processes live in namespaces that die with the JVM. What can stay
 * after a SIGKILL is on disk: the build and image directories (the empty mount points of
 * their tmpfs, or the whole tree without tmpfs), partial outputs and the ledger itself.
 * Loop devices and host mounts under those directories are released too, should anything
 * have made them outside the namespace; when one is busy, the processes holding it are
 * named.
 */
final class Gc {
    private final Path stateDir;
    private final boolean dryRun;
    private final Predicate<String> liveHere;
    private final List<String> report = new ArrayList<>();

    Gc(Path stateDir, boolean dryRun, Predicate<String> liveHere) {
        this.stateDir = stateDir;
        this.dryRun = dryRun;
        this.liveHere = liveHere;
    }

    List<String> run() {
        List<Path> ledgers;
        try {
            ledgers = ImageBuilderImpl.list(stateDir);
        } catch (IOException e) {
            report.add("cannot read " + stateDir + ": " + e.getMessage());
            return report;
        }
        for (Path f : ledgers) {
            String n = f.getFileName().toString();
            if (!n.endsWith(".properties")) {
                continue;
            }
            Ledger l;
            try {
                l = Ledger.load(f);
            } catch (IOException e) {
                report.add("unreadable ledger " + f + ": " + e.getMessage());
                continue;
            }
            String who = "build " + l.get("build.id") + " of process " + l.get("jvm.pid");
            if (liveHere.test(n) || l.alive("jvm")) {
                report.add(who + " is running: left alone");
                continue;
            }
            reap(l, who);
        }
        if (report.isEmpty()) {
            report.add("nothing to clean up");
        }
        return report;
    }

    private void reap(Ledger l, String who) {
        boolean ok = true;
        if (l.alive("holder")) {
            long pid = Long.parseLong(l.get("holder.pid"));
            report.add(who + ": namespace holder " + pid + (dryRun ? " would be killed" : " killed"));
            if (!dryRun) {
                ProcessHandle.of(pid).ifPresent(h -> {
                    h.descendants().forEach(ProcessHandle::destroyForcibly);
                    h.destroyForcibly();
                });
            }
        }
        for (String key : List.of("build.dir", "image.dir")) {
            String d = l.get(key);
            if (d != null) {
                ok &= release(Path.of(d), who);
            }
        }
        for (Path p : l.partials()) {
            if (Files.exists(p)) {
                report.add(who + ": partial output " + p + (dryRun ? " would be removed" : " removed"));
                if (!dryRun) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        report.add(who + ": cannot remove " + p + ": " + e.getMessage());
                        ok = false;
                    }
                }
            }
        }
        if (ok && !dryRun) {
            l.delete();
        }
    }

    /** Releases loop devices and mounts under {@code dir}, then deletes it. */
    private boolean release(Path dir, String who) {
        boolean ok = true;
        for (String loop : loopsUnder(dir)) {
            report.add(who + ": loop device " + loop + " backed by a file in " + dir
                    + (dryRun ? " would be detached" : " detached") + holders(Path.of(loop)));
            if (!dryRun) {
                ok &= exec("losetup", "-d", loop);
            }
        }
        for (String m : mountsUnder(dir)) {
            report.add(who + ": mount " + m + (dryRun ? " would be unmounted" : " unmounted") + holders(Path.of(m)));
            if (!dryRun) {
                ok &= exec("umount", "-l", m);
            }
        }
        if (Files.exists(dir)) {
            report.add(who + ": directory " + dir + (dryRun ? " would be removed" : " removed"));
            if (!dryRun) {
                try {
                    FileTrees.deleteRecursively(dir);
                } catch (IOException e) {
                    if (!exec("rm", "-rf", "--one-file-system", dir.toString())) {
                        report.add(who + ": cannot remove " + dir + ": " + e.getMessage() + holders(dir));
                        ok = false;
                    }
                }
            }
        }
        return ok;
    }

    private static List<String> loopsUnder(Path dir) {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(Path.of("/sys/block"))) {
            for (Path b : (Iterable<Path>) s::iterator) {
                Path bf = b.resolve("loop/backing_file");
                if (Files.exists(bf)) {
                    String f = Files.readString(bf).strip();
                    if (f.startsWith(dir + "/")) {
                        out.add("/dev/" + b.getFileName());
                    }
                }
            }
        } catch (IOException e) {
            // no loop devices
        }
        return out;
    }

    private static List<String> mountsUnder(Path dir) {
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String mp = line.split(" ")[4];
                if (mp.equals(dir.toString()) || mp.startsWith(dir + "/")) {
                    out.add(mp);
                }
            }
        } catch (IOException e) {
            // nothing mounted
        }
        out.sort((a, b) -> Integer.compare(b.length(), a.length()));
        return out;
    }

    /** @return " (held by pid N (cmd), ...)" for processes using {@code p}, or "" */
    static String holders(Path p) {
        List<String> out = new ArrayList<>();
        String target = p.toString();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                String pid = proc.getFileName().toString();
                if (!pid.matches("\\d+") || pid.equals(Long.toString(ProcessHandle.current().pid()))) {
                    continue;
                }
                if (uses(proc, target)) {
                    String cmd = ProcessHandle.of(Long.parseLong(pid)).flatMap(h -> h.info().command()).orElse("?");
                    out.add("pid " + pid + " (" + cmd + ")");
                }
            }
        } catch (IOException e) {
            return "";
        }
        return out.isEmpty() ? "" : " (held by " + String.join(", ", out) + ")";
    }

    private static boolean uses(Path proc, String target) {
        try {
            for (String link : List.of("cwd", "root")) {
                String t = Files.readSymbolicLink(proc.resolve(link)).toString();
                if (t.equals(target) || t.startsWith(target + "/")) {
                    return true;
                }
            }
            try (var fds = Files.list(proc.resolve("fd"))) {
                for (Path fd : (Iterable<Path>) fds::iterator) {
                    String t = Files.readSymbolicLink(fd).toString();
                    if (t.equals(target) || t.startsWith(target + "/")) {
                        return true;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    private boolean exec(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            int rc = p.waitFor();
            if (rc != 0) {
                report.add(String.join(" ", cmd) + " failed: " + out);
            }
            return rc == 0;
        } catch (IOException e) {
            report.add(String.join(" ", cmd) + " failed: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

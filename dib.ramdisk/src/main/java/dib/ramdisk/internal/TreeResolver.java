// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves paths inside an image tree the way a process chrooted into the tree would: an
 * absolute symbolic link restarts at the tree's root, {@code ..} never leaves it. The JVM
 * sees the tree through a host path (for example {@code /proc/PID/root/.../mnt}), where
 * following an absolute link with the file system API would escape to the host's root.
 */
final class TreeResolver {
    private static final int MAX_LINKS = 40;
    private final Path root;

    /** @param root the tree's root as the JVM reaches it */
    TreeResolver(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /**
     * @param path an absolute path inside the tree
     * @return the tree path with every symbolic link resolved (absolute, starting with
     *         {@code /}), whether or not the final file exists
     * @throws IOException on a link loop or unreadable link
     */
    String resolve(String path) throws IOException {
        Deque<String> todo = new ArrayDeque<>(split(path));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.removeFirst();
            if (c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            done.add(c);
            Path host = hostOf(done);
            if (Files.isSymbolicLink(host)) {
                if (++links > MAX_LINKS) {
                    throw new IOException("too many levels of symbolic links resolving " + path + " in the tree");
                }
                String target = Files.readSymbolicLink(host).toString();
                done.remove(done.size() - 1);
                if (target.startsWith("/")) {
                    done.clear();
                }
                List<String> t = split(target);
                for (int i = t.size() - 1; i >= 0; i--) {
                    todo.addFirst(t.get(i));
                }
            }
        }
        return "/" + String.join("/", done);
    }

    /** @return the host path of a fully resolved tree path */
    Path host(String treePath) {
        String rel = treePath.startsWith("/") ? treePath.substring(1) : treePath;
        return rel.isEmpty() ? root : root.resolve(rel);
    }

    /** @return the host path of {@code path} after resolving links in the tree */
    Path hostResolved(String path) throws IOException {
        return host(resolve(path));
    }

    /** @return true if {@code path} resolves to a regular file with an execute bit */
    boolean isExecutableFile(String path) throws IOException {
        Path h = hostResolved(path);
        return Files.isRegularFile(h, LinkOption.NOFOLLOW_LINKS) && Files.isExecutable(h);
    }

    /**
     * Looks a command name up on {@code searchPath} inside the tree, as {@code type -p} would.
     *
     * @return the tree path where it was found (not resolved), or null
     */
    String which(String name, List<String> searchPath) throws IOException {
        if (name.startsWith("/")) {
            return isExecutableFile(name) ? name : null;
        }
        for (String dir : searchPath) {
            String candidate = (dir.endsWith("/") ? dir : dir + "/") + name;
            if (isExecutableFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private Path hostOf(List<String> comps) {
        return comps.isEmpty() ? root : root.resolve(String.join("/", comps));
    }

    private static List<String> split(String p) {
        List<String> out = new ArrayList<>();
        for (String s : p.split("/")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }
}

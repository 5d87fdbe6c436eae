// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.io;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Small helpers for directory trees. */
public final class FileTrees {
    private FileTrees() {
    }

    /**
     * Replaces {@code file} with {@code content} (UTF-8) atomically: written to a temporary
     * file next to it and renamed over it, so readers see the old or the new content, never a
     * part; the temporary file does not outlive a failure.
     */
    public static void replace(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, content, java.nio.charset.StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Deletes {@code root} and everything below it without following symlinks and without
     * crossing into other mounted file systems' contents (a mount point found inside makes
     * the delete fail rather than empty a foreign file system).
     */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Object rootDev = Files.getAttribute(root, "unix:dev", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!rootDev.equals(Files.getAttribute(dir, "unix:dev", java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
                    throw new IOException(dir + " is a mount point; not deleting into another file system");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                try {
                    Files.delete(file);
                } catch (NoSuchFileException gone) {
                    // fine
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                try {
                    Files.delete(dir);
                } catch (NoSuchFileException gone) {
                    // fine
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.cache;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import dib.core.build.BuildException;

/**
 * Locks on cached files that hold across threads and across JVMs.
 *
 * <p>A lock is a {@code fcntl} lock ({@link FileChannel#tryLock()}) on a lock file, plus a
 * {@link ReentrantLock} per lock file in this JVM: the kernel lock excludes other processes,
 * the Java lock excludes other threads (the kernel lock is per process, and Java refuses a
 * second channel lock on the same file with {@link OverlappingFileLockException}). Both are
 * keyed by the lock file's identity (device and inode), so the same file reached through two
 * different paths (for example through {@code /proc/PID/root}) is one lock.
 *
 * <p>Lock files are never deleted: deleting one while another process waits on it would let
 * a third process lock a new file of the same name.
 */
final class FileLocks {
    /** How long to wait for another holder, as upstream's {@code flock -w 1200}. */
    static final Duration WAIT = Duration.ofMinutes(20);
    private static final long POLL_MILLIS = 100;

    private static final ConcurrentHashMap<Object, Holder> HOLDERS = new ConcurrentHashMap<>();

    /** One lock file as seen by this JVM. */
    private static final class Holder {
        final ReentrantLock lock = new ReentrantLock();
        FileChannel channel;
        FileLock fileLock;
    }

    private FileLocks() {
    }

    /**
     * Runs {@code work} holding the lock of {@code lockFile}. Re-entrant within a thread.
     *
     * @param lockFile the lock file (created if missing, never deleted)
     * @param what     names the locked thing in messages
     * @param log      receives a line when the lock is busy
     * @param work     what to do while holding it
     * @return what {@code work} returned
     * @throws BuildException if the lock could not be had within {@link #WAIT}, the thread was
     *                        interrupted, or {@code work} threw one
     */
    static <T> T withLock(Path lockFile, String what, Consumer<String> log, Callable<T> work) throws BuildException {
        Holder h;
        try {
            Files.createDirectories(lockFile.getParent());
            try {
                Files.createFile(lockFile);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // the usual case
            }
            Object key = Files.readAttributes(lockFile, BasicFileAttributes.class).fileKey();
            h = HOLDERS.computeIfAbsent(key == null ? lockFile.toAbsolutePath().normalize() : key, k -> new Holder());
        } catch (IOException e) {
            throw new BuildException("cannot create the lock file " + lockFile + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        try {
            if (!h.lock.tryLock()) {
                log.accept("Waiting for the lock on " + what + " (held by another build in this process)");
                if (!h.lock.tryLock(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new BuildException("timed out after " + WAIT.toMinutes() + " minutes waiting for the lock on "
                            + what + " (" + lockFile + ")");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("interrupted while waiting for the lock on " + what, e);
        }
        try {
            if (h.lock.getHoldCount() == 1) {
                acquireFileLock(h, lockFile, what, log, deadline);
            }
            return work.call();
        } catch (BuildException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new BuildException(what + ": " + e.getMessage(), e);
        } finally {
            if (h.lock.getHoldCount() == 1) {
                releaseFileLock(h);
            }
            h.lock.unlock();
        }
    }

    private static void acquireFileLock(Holder h, Path lockFile, String what, Consumer<String> log, long deadline)
            throws BuildException {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fl = ch.tryLock();
            if (fl == null) {
                log.accept("Waiting for the lock on " + what + " (held by another process)");
                while (fl == null) {
                    if (System.nanoTime() > deadline) {
                        throw new BuildException("timed out after " + WAIT.toMinutes()
                                + " minutes waiting for the lock on " + what + " (" + lockFile + ")");
                    }
                    Thread.sleep(POLL_MILLIS);
                    fl = ch.tryLock();
                }
            }
            h.channel = ch;
            h.fileLock = fl;
            ch = null;
        } catch (IOException e) {
            throw new BuildException("cannot lock " + lockFile + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("interrupted while waiting for the lock on " + what, e);
        } finally {
            if (ch != null) {
                closeQuietly(ch);
            }
        }
    }

    private static void releaseFileLock(Holder h) {
        FileChannel ch = h.channel;
        h.channel = null;
        h.fileLock = null;
        if (ch != null) {
            // closing the channel releases the kernel lock
            closeQuietly(ch);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing useful to do: the lock goes with the descriptor
        }
    }
}

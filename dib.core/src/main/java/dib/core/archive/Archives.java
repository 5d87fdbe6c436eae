// SPDX-License-Identifier: Apache-2.0
package dib.core.archive;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import dib.core.build.BuildContext;
import dib.core.build.BuildException;

import dib.core.internal.archive.DiskImageRepacker;
import dib.core.internal.archive.Squashfs;
import dib.core.internal.archive.TarExtractor;
import dib.core.sandbox.Sandbox;

/**
 * Extraction of base images into a root tree. Stateless and thread-safe; each call works on
 * its own files (callers lock shared cache files, see
 * {@link dib.core.cache.DownloadCache#locked}).
 *
 * @since 1.0
 */
public final class Archives {
    private Archives() {
    }

    /**
     * Extracts a tar archive (plain, gzip, xz, zstd or bzip2, recognised by content) into
     * {@code target}, creating it if needed. Keeps numeric owners (when
     * {@link ExtractOptions#owners()}), modes including set-uid/set-gid/sticky, modification
     * times, symbolic and hard links, device nodes, FIFOs and the extended attributes the
     * options keep; sparse files stay sparse.
     *
     * <p>Refuses, with an {@link ArchiveException} naming the archive and the entry, any
     * entry with an absolute name or a {@code ..} component, any entry below a symbolic link
     * (planted earlier in the archive or already in the target), a hard link to something
     * that is not a file inside the target, a replacement of a non-empty directory, and any
     * file (for a sparse file: its apparent size) larger than the target's free space minus
     * the reserve. Nothing is ever written outside {@code target}; entries before a refused
     * one stay extracted, and the caller decides whether to remove the target.
     *
     * <p>File names must be UTF-8, and the JVM must run with a UTF-8 {@code sun.jnu.encoding}
     * ({@code LANG=C.UTF-8}) to create non-ASCII names.
     *
     * @param archive the archive (a namespace path when {@code options} name a sandbox)
     * @param target  the directory to extract into (likewise)
     * @param options options
     * @return how much was extracted
     * @throws ArchiveException     corrupt or truncated archive, refused entry, I/O error
     * @throws InterruptedException if interrupted while a helper command ran
     */
    public static ExtractResult extractTar(Path archive, Path target, ExtractOptions options)
            throws ArchiveException, InterruptedException {
        long[] r = new TarExtractor(archive, target, options).run();
        return new ExtractResult(r[0], r[1]);
    }

    /**
     * Extracts a tarball for a build: in the build's sandbox, logging to {@code log}, stopping
     * when the build is cancelled. What distribution services call from their root.d.
     *
     * @throws BuildException naming the archive (corrupt, refused entry, I/O error), or
     *                        when interrupted
     */
    public static ExtractResult extractTar(BuildContext build, Path archive, Path target, Consumer<String> log)
            throws BuildException {
        try {
            return extractTar(archive, target,
                    ExtractOptions.defaults().sandbox(build.sandbox()).log(log).cancelledWhen(() -> cancelled(build)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("extraction of " + archive + " interrupted", e);
        }
    }

    /**
     * Extracts a squashfs image into {@code target} with {@code unsquashfs -f -d} (owners,
     * modes, links, devices and extended attributes as stored), run in the sandbox.
     *
     * @param sandbox where to run {@code unsquashfs}; null to run it on the host
     * @param image   the squashfs image
     * @param target  the directory to extract into
     * @param log     receives the command's last lines on failure
     * @throws ArchiveException naming the image when it is not squashfs or unsquashfs fails
     */
    public static void extractSquashfs(Sandbox sandbox, Path image, Path target, Consumer<String> log)
            throws ArchiveException, InterruptedException {
        Squashfs.extract(sandbox, image, target, log == null ? l -> { } : log);
    }

    /**
     * Repacks a cloud disk image as a gzip tarball of its root tree (root, {@code /boot} and
     * EFI system partitions mounted read-only by offset inside the sandbox), as upstream's
     * {@code extract-image}. The tarball replaces {@code tarball} atomically; its working
     * files (a raw copy of the image, the mount point) live next to it and are removed.
     *
     * <p>Hold the tarball's lock ({@link dib.core.cache.DownloadCache#locked}) around the call:
     * working files of repacks whose process is gone are removed first.
     *
     * @param sandbox where to run qemu-img, sfdisk, blkid, mount and tar (mounts must not
     *                leak: use a build's sandbox or one from {@code Sandboxes.open})
     * @param image   the image: qcow2 (optionally {@code .xz}) or raw
     * @param tarball the tarball to write
     * @param log     receives which partitions were used
     * @return the partitions used
     * @throws ArchiveException naming the image when it cannot be read, has no root file
     *                          system, or a command fails
     */
    public static DiskImagePartitions repackDiskImage(Sandbox sandbox, Path image, Path tarball,
            Consumer<String> log) throws ArchiveException, InterruptedException {
        return new DiskImageRepacker(sandbox, log == null ? l -> { } : log, image.toString()).repack(image, tarball);
    }

    /** Produces the disk image to repack: downloads and verifies it, or names a local file. */
    @FunctionalInterface
    public interface ImageSource {
        /**
         * @return the image, a host path
         * @throws BuildException naming the URL or file that failed
         */
        Path get() throws BuildException;
    }

    /**
     * Upstream's {@code extract-image}: the root tree of a cloud disk image, through a cached
     * tarball. Under the lock of {@code tarball}: unless the build is offline and the tarball
     * exists, {@code source} fetches the image, and the image is repacked
     * ({@link #repackDiskImage}) when the tarball is missing or older than the image; then the
     * tarball is extracted into {@code target} with numeric owners and every extended
     * attribute but {@code security.selinux}.
     *
     * @param build   the build (sandbox, cache lock, offline flag, cancellation)
     * @param source  produces the image
     * @param tarball the cached tarball (in the cache directory)
     * @param target  {@code TARGET_ROOT}, a path in the build's namespace
     * @param log     receives what happened
     * @return the partitions used when the image was repacked, else null
     * @throws BuildException naming the image, URL or archive that failed
     */
    public static DiskImagePartitions extractDiskImage(BuildContext build, ImageSource source, Path tarball,
            Path target, Consumer<String> log) throws BuildException {
        return build.cache().locked(tarball, () -> {
            DiskImagePartitions parts = null;
            if (build.offline() && Files.isRegularFile(tarball)) {
                log.accept("Offline mode: not checking freshness of the cached " + tarball);
            } else {
                Path image = source.get();
                if (!Files.isRegularFile(tarball)
                        || Files.getLastModifiedTime(image).compareTo(Files.getLastModifiedTime(tarball)) > 0) {
                    log.accept("Repacking " + image + " as " + tarball);
                    parts = repackDiskImage(build.sandbox(), image, tarball, log);
                } else {
                    log.accept("Using the cached " + tarball + " (not older than " + image + ")");
                }
            }
            log.accept("Extracting the base root tree from " + tarball);
            extractTar(build, tarball, target, log);
            return parts;
        });
    }

    /** @return true when the build has been cancelled */
    public static boolean cancelled(BuildContext build) {
        try {
            build.checkCancelled();
            return false;
        } catch (BuildException e) {
            return true;
        }
    }
}

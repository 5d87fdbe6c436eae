// SPDX-License-Identifier: Apache-2.0
/**
 * Base images for distribution services: verified downloads against published SHA-256 sums
 * ({@link dib.core.archive.ImageDownloads}), and safe extraction of the archives base images
 * come in ({@link dib.core.archive.Archives}): tar (plain, gzip, xz, zstd, bzip2) and squashfs
 * into a root tree, and a partitioned disk image (qcow2, raw) repacked as a tarball of its
 * root, boot and EFI file systems, cached as upstream's {@code extract-image} does.
 *
 * <p>Extraction keeps numeric owners, modes, modification times, symbolic and hard links,
 * device nodes, FIFOs and extended attributes, and refuses any entry that would land outside
 * the target: names with {@code ..} or a leading {@code /}, entries below a symbolic link
 * (planted earlier by the same archive or already in the target), hard links to files
 * outside, and sizes the target's file system cannot hold.
 *
 * <p>Targets may be paths in a build's mount namespace: pass the build's
 * {@link dib.core.sandbox.Sandbox} and the JVM writes through {@code Sandbox.host(path)},
 * while the helper commands ({@code mknod}, {@code setfattr}, {@code unsquashfs}, {@code mount})
 * run inside the sandbox.
 *
 * @since 1.0
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dib.core.archive;

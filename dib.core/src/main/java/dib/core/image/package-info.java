// SPDX-License-Identifier: Apache-2.0
/**
 * Turning the finished tree into image files: the block-device layer (file systems, disk
 * layouts, mounts, fstab) and the output formats.
 *
 * @since 1.0
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dib.core.image;

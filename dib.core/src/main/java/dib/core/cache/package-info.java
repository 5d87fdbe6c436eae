// SPDX-License-Identifier: Apache-2.0
/**
 * The download cache ({@code ~/.cache/image-create}, {@code --image-cache}): conditional
 * downloads, verification before a cached file is replaced, a lock per cached file, offline
 * mode and progress events.
 *
 * @since 1.0
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dib.core.cache;

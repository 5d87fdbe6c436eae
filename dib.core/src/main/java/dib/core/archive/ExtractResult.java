// SPDX-License-Identifier: Apache-2.0
package dib.core.archive;

/**
 * What {@link Archives#extractTar} extracted.
 *
 * @param entries archive members extracted
 * @param bytes   bytes of file data written
 * @since 1.0
 */
public record ExtractResult(long entries, long bytes) {
}

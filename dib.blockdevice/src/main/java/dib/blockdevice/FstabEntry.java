// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice;

import java.util.Objects;

/**
 * One {@code /etc/fstab} line, made by an {@code fstab} node for a mount node. The file
 * system is named by {@code LABEL=} (by {@code UUID=} when it has no label).
 *
 * @param mount      the mount node's name
 * @param options    the mount options ({@code defaults})
 * @param dumpFreq   the dump frequency (0)
 * @param fsckPassno the fsck pass (1 for {@code /}, 2 otherwise)
 * @since 1.0
 */
public record FstabEntry(String mount, String options, int dumpFreq, int fsckPassno) {
    /** Checks the values. */
    public FstabEntry {
        Objects.requireNonNull(mount, "mount");
        Objects.requireNonNull(options, "options");
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Unix mode bits as ints, and their translation to and from NIO permissions. */
public final class Modes {
    private static final PosixFilePermission[] ORDER = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ };

    private Modes() {
    }

    /** @return the permission set of the low nine bits of {@code mode} */
    public static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < ORDER.length; i++) {
            if ((mode & (1 << i)) != 0) {
                s.add(ORDER[i]);
            }
        }
        return s;
    }

    /** @return the low nine mode bits of {@code perms} */
    public static int bits(Set<PosixFilePermission> perms) {
        int m = 0;
        for (int i = 0; i < ORDER.length; i++) {
            if (perms.contains(ORDER[i])) {
                m |= 1 << i;
            }
        }
        return m;
    }

    /** @return the full mode of {@code p} (type and permission bits), not following links */
    public static int of(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    /** @return true if the file-type bits of {@code mode} say symlink */
    public static boolean isSymlink(int mode) {
        return (mode & 0170000) == 0120000;
    }

    /**
     * The rule for files whose archive stores no mode: executable when the content starts
     * with a shebang or is an ELF binary.
     *
     * @return 0755 or 0644
     */
    public static int guess(byte[] data) {
        boolean shebang = data.length >= 2 && data[0] == '#' && data[1] == '!';
        boolean elf = data.length >= 4 && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F';
        return shebang || elf ? 0755 : 0644;
    }
}

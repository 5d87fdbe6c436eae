// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.archive;

import java.util.Map;

/**
 * One member of a tar archive as {@link TarReader} decoded it (ustar, GNU and pax headers
 * merged).
 *
 * @param name      the member's name as stored (not yet checked)
 * @param kind      what it is
 * @param linkName  the target of a symbolic or hard link, else null
 * @param mode      permission bits including set-uid, set-gid and sticky
 * @param uid       numeric owner
 * @param gid       numeric group
 * @param mtime     modification time, seconds since the epoch
 * @param mtimeNano nanoseconds part of the modification time (pax headers)
 * @param dataSize  bytes of data stored in the archive for it
 * @param realSize  the file's size once extracted (differs from dataSize for sparse files)
 * @param devMajor  device major number, for devices
 * @param devMinor  device minor number, for devices
 * @param xattrs    extended attributes by full name, raw values
 * @param sparse    for sparse files, pairs of (offset, length) of the data regions; else null
 */
record TarEntry(String name, Kind kind, String linkName, int mode, long uid, long gid, long mtime, int mtimeNano,
        long dataSize, long realSize, int devMajor, int devMinor, Map<String, byte[]> xattrs, long[] sparse) {

    /** Member types dib extracts. */
    enum Kind {
        FILE, HARDLINK, SYMLINK, CHARDEV, BLOCKDEV, DIRECTORY, FIFO
    }
}

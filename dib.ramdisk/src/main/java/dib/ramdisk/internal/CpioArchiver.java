// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * Writes a directory tree as a cpio "newc" archive, the format the Linux initramfs unpacker
 * reads. Entries are sorted by name (so a directory always precedes what it holds), inode
 * numbers are assigned in that order and hard links are not preserved, so the archive depends
 * only on the tree's names, contents, modes, owners and times. With a fixed time
 * ({@code SOURCE_DATE_EPOCH}) every entry gets that time and owner root, and two archives of
 * equal trees are byte-identical.
 */
public final class CpioArchiver {
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;

    private final Long fixedTime;

    /** @param fixedTime seconds since the epoch for every entry (and owner root), or null to keep the tree's */
    public CpioArchiver(Long fixedTime) {
        this.fixedTime = fixedTime;
    }

    /** What was written. */
    public record Stats(int entries, long bytes) {
    }

    /**
     * @param tree the directory to archive (its contents become the archive's root)
     * @param out  receives the archive; closed when done
     */
    public Stats write(Path tree, OutputStream out) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.walk(tree)) {
            s.forEach(p -> {
                String rel = tree.relativize(p).toString();
                names.add(rel.isEmpty() ? "." : rel);
            });
        }
        // the kernel opens /dev/console before it runs /init: make sure it exists
        java.util.Set<String> synthetic = new java.util.HashSet<>();
        for (String n : List.of("dev", "dev/console")) {
            if (!names.contains(n)) {
                names.add(n);
                synthetic.add(n);
            }
        }
        // byte order of the UTF-8 names, the same on every JVM and locale
        names.sort((a, b) -> compareBytes(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        long ino = 1;
        long data = 0;
        int count = 0;
        try (CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(new BufferedOutputStream(out, 1 << 16),
                CpioConstants.FORMAT_NEW, 512, "UTF-8")) {
            byte[] buf = new byte[1 << 16];
            for (String name : names) {
                if (synthetic.contains(name)) {
                    if (name.equals("dev")) {
                        synthetic(cpio, name, S_IFDIR | 0755, 0, 0, ino++);
                    } else {
                        synthetic(cpio, name, S_IFCHR | 0600, 5, 1, ino++);
                    }
                    count++;
                    continue;
                }
                Path p = name.equals(".") ? tree : tree.resolve(name);
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,rdev,lastModifiedTime",
                        LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                int type = mode & S_IFMT;
                byte[] link = null;
                long size = 0;
                if (type == S_IFREG) {
                    size = Files.size(p);
                } else if (type == S_IFLNK) {
                    link = Files.readSymbolicLink(p).toString().getBytes(StandardCharsets.UTF_8);
                    size = link.length;
                }
                CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name, size);
                e.setMode(mode);
                e.setInode(ino++);
                e.setNumberOfLinks(type == S_IFDIR ? 2 : 1);
                if (fixedTime != null) {
                    e.setUID(0);
                    e.setGID(0);
                    e.setTime(fixedTime);
                } else {
                    e.setUID((Integer) a.get("uid"));
                    e.setGID((Integer) a.get("gid"));
                    e.setTime(((FileTime) a.get("lastModifiedTime")).toMillis() / 1000);
                }
                if (type == S_IFCHR || type == S_IFBLK) {
                    long rdev = (Long) a.get("rdev");
                    e.setRemoteDeviceMaj(major(rdev));
                    e.setRemoteDeviceMin(minor(rdev));
                }
                cpio.putArchiveEntry(e);
                if (type == S_IFREG) {
                    try (InputStream in = Files.newInputStream(p)) {
                        long left = size;
                        int n;
                        while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
                            cpio.write(buf, 0, n);
                            left -= n;
                        }
                        if (left != 0) {
                            throw new IOException(p + " changed size while it was archived");
                        }
                    }
                    data += size;
                } else if (link != null) {
                    cpio.write(link);
                }
                cpio.closeArchiveEntry();
                count++;
            }
            cpio.finish();
        }
        return new Stats(count, data);
    }

    private void synthetic(CpioArchiveOutputStream cpio, String name, int mode, long maj, long min, long ino)
            throws IOException {
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name, 0);
        e.setMode(mode);
        e.setInode(ino);
        e.setNumberOfLinks((mode & S_IFMT) == S_IFDIR ? 2 : 1);
        e.setTime(fixedTime != null ? fixedTime : 0);
        if ((mode & S_IFMT) == S_IFCHR) {
            e.setRemoteDeviceMaj(maj);
            e.setRemoteDeviceMin(min);
        }
        cpio.putArchiveEntry(e);
        cpio.closeArchiveEntry();
    }

    // Linux's encoding of dev_t (glibc gnu_dev_major/minor)
    static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    }

    static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & ~0xffL);
    }

    private static int compareBytes(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            int c = Integer.compare(a[i] & 0xff, b[i] & 0xff);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.length, b.length);
    }
}

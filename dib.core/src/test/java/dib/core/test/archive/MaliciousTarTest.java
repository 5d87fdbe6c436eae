// SPDX-License-Identifier: Apache-2.0
package dib.core.test.archive;

import static dib.core.test.archive.TarBuilder.dir;
import static dib.core.test.archive.TarBuilder.file;
import static dib.core.test.archive.TarBuilder.hardlink;
import static dib.core.test.archive.TarBuilder.symlink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.archive.ArchiveException;
import dib.core.archive.Archives;
import dib.core.archive.ExtractOptions;
import dib.core.archive.ExtractResult;

/**
 * The malicious tar corpus: each archive must be refused with a message naming the archive
 * and the entry, and nothing may appear or change outside the target.
 */
class MaliciousTarTest {
    @TempDir
    Path tmp;
    Path target;
    Path outside;
    Path archive;
    Map<String, String> before;

    @BeforeEach
    void layout() throws IOException {
        target = tmp.resolve("target");
        outside = tmp.resolve("outside");
        Files.createDirectories(outside.resolve("etc"));
        Files.writeString(outside.resolve("etc/passwd"), "root:x:0:0\n");
        Files.writeString(outside.resolve("secret"), "s3cret\n");
        archive = tmp.resolve("evil.tar");
        before = snapshotOutsideTarget();
    }

    @AfterEach
    void nothingOutsideTheTargetChanged() throws IOException {
        assertEquals(before, snapshotOutsideTarget());
    }

    /** Every path under tmp except the target and the archive, with content or link target. */
    Map<String, String> snapshotOutsideTarget() throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(tmp)) {
            for (Path p : s.collect(Collectors.toList())) {
                if (p.startsWith(target) || p.equals(archive)) {
                    continue;
                }
                String v = Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p)
                        : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir"
                        : Files.readString(p) + " mode " + Files.getAttribute(p, "unix:mode");
                m.put(tmp.relativize(p).toString(), v);
            }
        }
        return m;
    }

    ArchiveException refused(TarBuilder t, String entry) throws Exception {
        t.write(archive);
        ArchiveException e = assertThrows(ArchiveException.class,
                () -> Archives.extractTar(archive, target, ExtractOptions.defaults()));
        assertEquals(entry, e.entry(), e.getMessage());
        assertEquals(archive.toString(), e.archive());
        assertTrue(e.getMessage().startsWith(archive + ": refusing entry '" + entry + "': "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        return e;
    }

    @Test
    void dotDotIsRefused() throws Exception {
        ArchiveException e = refused(new TarBuilder().add(file("ok", "fine")).add(file("../outside/secret", "pwned")),
                "../outside/secret");
        assertTrue(e.getMessage().contains("leaves the target (..)"), e.getMessage());
        assertEquals("fine", Files.readString(target.resolve("ok")));
    }

    @Test
    void dotDotInTheMiddleIsRefused() throws Exception {
        refused(new TarBuilder().add(dir("a/")).add(file("a/../../escape", "x")), "a/../../escape");
        assertFalse(Files.exists(tmp.resolve("escape")));
    }

    @Test
    void absoluteNamesAreRefused() throws Exception {
        Path abs = outside.resolve("etc/passwd");
        ArchiveException e = refused(new TarBuilder().add(file(abs.toString(), "pwned")), abs.toString());
        assertTrue(e.getMessage().contains("absolute"), e.getMessage());
    }

    @Test
    void aPaxPathOverrideIsCheckedToo() throws Exception {
        refused(new TarBuilder().add(file("harmless", "x").pax("path", "../outside/secret")), "../outside/secret");
    }

    @Test
    void aGnuLongNameIsCheckedToo() throws Exception {
        TarBuilder.Member longName = new TarBuilder.Member("././@LongLink", 'L');
        longName.data = ("../" + "x".repeat(120) + "\0").getBytes(StandardCharsets.UTF_8);
        refused(new TarBuilder().add(longName).add(file("placeholder", "x")), "../" + "x".repeat(120));
    }

    @Test
    void aFileThroughASymlinkPlantedByTheArchiveIsRefused() throws Exception {
        ArchiveException e = refused(new TarBuilder().add(symlink("link", "../outside")).add(file("link/secret", "pwned")),
                "link/secret");
        assertTrue(e.getMessage().contains("its parent 'link' is a symbolic link planted by an earlier entry"),
                e.getMessage());
        assertTrue(Files.isSymbolicLink(target.resolve("link")), "the link itself is harmless and stays");
    }

    @Test
    void anAbsoluteSymlinkThenADirectoryThroughItIsRefused() throws Exception {
        refused(new TarBuilder().add(symlink("etc", outside.resolve("etc").toString())).add(dir("etc/cron.d/")),
                "etc/cron.d/");
    }

    @Test
    void aSymlinkAlreadyInTheTargetIsNotFollowed() throws Exception {
        Files.createDirectories(target);
        Files.createSymbolicLink(target.resolve("pre"), outside);
        ArchiveException e = refused(new TarBuilder().add(file("pre/secret", "pwned")), "pre/secret");
        assertTrue(e.getMessage().contains("already in the target"), e.getMessage());
    }

    @Test
    void aFileReplacesASymlinkInsteadOfWritingThroughIt() throws Exception {
        new TarBuilder().add(symlink("s", "../outside/secret")).add(file("s", "replaced")).write(archive);
        Archives.extractTar(archive, target, ExtractOptions.defaults());
        assertFalse(Files.isSymbolicLink(target.resolve("s")));
        assertEquals("replaced", Files.readString(target.resolve("s")));
    }

    @Test
    void aHardLinkOutsideIsRefused() throws Exception {
        refused(new TarBuilder().add(hardlink("hl", "../outside/secret")), "hl");
    }

    @Test
    void anAbsoluteHardLinkIsRefused() throws Exception {
        refused(new TarBuilder().add(hardlink("hl", outside.resolve("secret").toString())), "hl");
    }

    @Test
    void aHardLinkThroughAPlantedSymlinkIsRefused() throws Exception {
        ArchiveException e = refused(new TarBuilder().add(symlink("l", outside.toString())).add(hardlink("hl", "l/secret")),
                "hl");
        assertTrue(e.getMessage().contains("is not inside the target"), e.getMessage());
    }

    @Test
    void aHardLinkToASymlinkLinksTheSymlinkItself() throws Exception {
        // link(2) does not follow: the new name is one more name of the symbolic link
        new TarBuilder().add(symlink("s", "../outside/secret")).add(hardlink("h", "s")).write(archive);
        Archives.extractTar(archive, target, ExtractOptions.defaults());
        assertTrue(Files.isSymbolicLink(target.resolve("h")));
        assertEquals(2, (int) Files.getAttribute(target.resolve("h"), "unix:nlink", LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void replacingAFullDirectoryByASymlinkIsRefused() throws Exception {
        ArchiveException e = refused(new TarBuilder().add(dir("d/")).add(file("d/f", "x"))
                .add(symlink("d", outside.toString())).add(file("d/secret", "pwned")), "d");
        assertTrue(e.getMessage().contains("non-empty directory 'd'"), e.getMessage());
    }

    @Test
    void anEmptyDirectoryReplacedByASymlinkCannotBeWrittenThrough() throws Exception {
        refused(new TarBuilder().add(dir("d/")).add(symlink("d", outside.toString())).add(file("d/secret", "pwned")),
                "d/secret");
    }

    @Test
    void aDeviceNodeKeepsItsDirectoryFromBeingSwappedForALink() throws Exception {
        // the node is created at the end; its placeholder keeps d non-empty until then
        TarBuilder.Member fifo = new TarBuilder.Member("d/fifo", '6');
        refused(new TarBuilder().add(dir("d/")).add(fifo).add(symlink("d", outside.toString())), "d");
        assertFalse(Files.exists(outside.resolve("fifo"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aHugeFileClaimIsRefusedBeforeWriting() throws Exception {
        TarBuilder.Member big = file("big", "");
        big.size = 1L << 50; // a petabyte, in GNU base-256
        big.octalSize = false;
        ArchiveException e = refused(new TarBuilder().raw(new TarBuilder().add(big).unterminated()), "big");
        assertTrue(e.getMessage().contains("it claims 1125899906842624 bytes, more than the"), e.getMessage());
        assertFalse(Files.exists(target.resolve("big")));
    }

    @Test
    void aHugeSparseClaimIsRefused() throws Exception {
        TarBuilder.Member sparse = sparse("huge", 1L << 50, new byte[512]);
        ArchiveException e = refused(new TarBuilder().add(sparse), "huge");
        assertTrue(e.getMessage().contains("it is a sparse file claiming 1125899906842624 bytes"), e.getMessage());
        assertFalse(Files.exists(target.resolve("huge")));
    }

    @Test
    void aModestSparseFileStaysSparse() throws Exception {
        byte[] data = new byte[512];
        data[0] = 'A';
        data[511] = 'Z';
        new TarBuilder().add(sparse("holey", 100L << 20, data)).write(archive);
        ExtractResult r = Archives.extractTar(archive, target, ExtractOptions.defaults());
        assertEquals(1, r.entries());
        Path f = target.resolve("holey");
        assertEquals(100L << 20, Files.size(f));
        long blocks = Long.parseLong(new String(new ProcessBuilder("stat", "-c", "%b", f.toString()).start()
                .getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip());
        assertTrue(blocks < 64, "allocated 512-byte blocks: " + blocks);
        byte[] head = new byte[512];
        try (var in = Files.newInputStream(f)) {
            in.readNBytes(head, 0, 512);
        }
        assertEquals('A', head[0]);
        assertEquals('Z', head[511]);
    }

    /** A pax 1.0 sparse member: one data region at offset 0, the rest a hole. */
    static TarBuilder.Member sparse(String name, long realSize, byte[] region) {
        byte[] map = ("1\n0\n" + region.length + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] data = new byte[512 + region.length];
        System.arraycopy(map, 0, data, 0, map.length);
        System.arraycopy(region, 0, data, 512, region.length);
        TarBuilder.Member m = new TarBuilder.Member("GNUSparseFile.0/" + name, '0');
        m.data = data;
        m.pax("GNU.sparse.major", "1").pax("GNU.sparse.minor", "0").pax("GNU.sparse.name", name)
                .pax("GNU.sparse.realsize", Long.toString(realSize));
        return m;
    }

    @Test
    void aTruncatedArchiveIsAClearError() throws Exception {
        TarBuilder.Member f = file("f", "0123456789");
        f.size = 100_000;
        Files.write(archive, new TarBuilder().add(f).unterminated());
        ArchiveException e = assertThrows(ArchiveException.class,
                () -> Archives.extractTar(archive, target, ExtractOptions.defaults()));
        assertEquals(archive + ": entry 'f': the archive is truncated: 99488 bytes of a member's data are missing",
                e.getMessage());
    }

    @Test
    void aCorruptHeaderIsAClearError() throws Exception {
        TarBuilder.Member f = file("f", "x");
        f.badChecksum = true;
        new TarBuilder().add(f).write(archive);
        ArchiveException e = assertThrows(ArchiveException.class,
                () -> Archives.extractTar(archive, target, ExtractOptions.defaults()));
        assertEquals(archive + ": not a tar archive, or a corrupt header at byte 0", e.getMessage());
    }

    @Test
    void garbageIsNotATarArchive() throws Exception {
        Files.writeString(archive, "this is not an archive at all, just words\n".repeat(40));
        ArchiveException e = assertThrows(ArchiveException.class,
                () -> Archives.extractTar(archive, target, ExtractOptions.defaults()));
        assertTrue(e.getMessage().contains("not a tar archive"), e.getMessage());
    }

    @Test
    void aCorruptGzipStreamIsAClearError() throws Exception {
        Path plain = new TarBuilder().add(file("f", "x".repeat(100_000))).write(tmp.resolve("plain.tar"));
        new ProcessBuilder("gzip", "-kf", plain.toString()).start().waitFor();
        byte[] gz = Files.readAllBytes(tmp.resolve("plain.tar.gz"));
        Files.delete(plain);
        Files.delete(tmp.resolve("plain.tar.gz"));
        Files.write(archive, java.util.Arrays.copyOf(gz, gz.length / 2));
        before = snapshotOutsideTarget();
        ArchiveException e = assertThrows(ArchiveException.class,
                () -> Archives.extractTar(archive, target, ExtractOptions.defaults()));
        assertTrue(e.getMessage().startsWith(archive + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void listsNothingButWhatItWrote() throws Exception {
        new TarBuilder().add(dir("a/")).add(file("a/b", "1")).add(symlink("a/c", "b")).write(archive);
        Archives.extractTar(archive, target, ExtractOptions.defaults());
        try (Stream<Path> s = Files.walk(target)) {
            assertEquals(List.of("", "a", "a/b", "a/c"),
                    s.map(p -> target.relativize(p).toString()).sorted().collect(Collectors.toList()));
        }
    }
}

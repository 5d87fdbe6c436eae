// SPDX-License-Identifier: Apache-2.0
package dib.core.test.archive;

import static dib.core.test.archive.Trees.bash;
import static dib.core.test.archive.Trees.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dib.core.archive.ArchiveException;
import dib.core.archive.Archives;
import dib.core.archive.ExtractOptions;
import dib.core.archive.ExtractResult;
import dib.core.sandbox.ClosableSandbox;
import dib.core.sandbox.Sandboxes;

/**
 * Extraction keeps what GNU tar stored: the extracted tree's manifest equals the source's,
 * for the GNU and pax formats and every supported compression, on the host and through a
 * build sandbox.
 */
@Tag("root")
class TarFidelityTest {
    @TempDir
    static Path shared;
    static Path src;
    static String manifestWithXattrs;
    static String manifestWithout;

    @BeforeAll
    static void tree() throws Exception {
        src = shared.resolve("src");
        Files.createDirectories(src);
        Trees.rich(src);
        manifestWithXattrs = manifest(src, true);
        manifestWithout = manifest(src, false);
        assertTrue(manifestWithXattrs.contains("security.capability=0x0100000280000000000000000000000000000000"),
                manifestWithXattrs);
        assertTrue(manifestWithXattrs.contains("user.bin=0xff00fe80"), manifestWithXattrs);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"posix,-z", "posix,-J", "posix,--zstd", "posix,-j", "posix,", "gnu,", "gnu,-z"})
    void theTreeSurvivesTheRoundTrip(String format, String compression, @TempDir Path tmp) throws Exception {
        Path archive = tmp.resolve("root.tar");
        bash("tar --format=$1 --sparse --numeric-owner --xattrs --xattrs-include='*' ${3:+$3} -C \"$2\" -cf \"$4\" .",
                format, src.toString(), compression == null ? "" : compression, archive.toString());
        Path target = tmp.resolve("target");
        ExtractResult r = Archives.extractTar(archive, target, ExtractOptions.defaults());
        assertTrue(r.entries() > 15, "entries: " + r.entries());
        // GNU format stores no extended attributes
        boolean xattrs = format.equals("posix");
        assertEquals(xattrs ? manifestWithXattrs : manifestWithout, manifest(target, xattrs));
        long blocks = Long.parseLong(bash("stat -c %b \"$1\"", target.resolve("sparse").toString()).strip());
        assertTrue(blocks < 1024, "the sparse file stays sparse: " + blocks + " blocks");
    }

    @Test
    void throughABuildSandbox(@TempDir Path tmp) throws Exception {
        Path archive = tmp.resolve("root.tar.gz");
        bash("tar --format=posix --sparse --numeric-owner --xattrs --xattrs-include='*' -C \"$1\" -czf \"$2\" .",
                src.toString(), archive.toString());
        Path target = tmp.resolve("target");
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            // the target is a tmpfs that exists only in the sandbox's mount namespace
            Files.createDirectories(target);
            sb.check(dib.core.sandbox.Exec.of("mount", "-t", "tmpfs", "tmpfs", target.toString()));
            Archives.extractTar(archive, target, ExtractOptions.defaults().sandbox(sb));
            assertTrue(Files.list(target).findAny().isEmpty(), "nothing on the host's side of the mount");
            Path copy = tmp.resolve("copy");
            sb.check(dib.core.sandbox.Exec.of("cp", "-a", target + "/.", copy.toString()));
            sb.check(dib.core.sandbox.Exec.of("touch", "-r", target.toString(), copy.toString()));
        }
        assertEquals(manifestWithXattrs, manifest(tmp.resolve("copy"), true));
    }

    @Test
    void selinuxLabelsAreDroppedByDefaultAndKeptWhenAsked(@TempDir Path tmp) throws Exception {
        Path tree = tmp.resolve("tree");
        Files.createDirectories(tree);
        Path archive = tmp.resolve("t.tar");
        // a pax header as SELinux systems write it; the host need not support the label
        TarBuilder.Member m = TarBuilder.file("f", "x");
        m.pax("SCHILY.xattr.security.selinux", "system_u:object_r:etc_t:s0\0");
        m.pax("SCHILY.xattr.user.kept", "yes");
        new TarBuilder().add(m).write(archive);
        Archives.extractTar(archive, tree, ExtractOptions.defaults());
        String attrs = bash("getfattr -h -d -m - --absolute-names \"$1\"", tree.resolve("f").toString());
        assertTrue(attrs.contains("user.kept=\"yes\""), attrs);
        assertTrue(!attrs.contains("etc_t"), attrs);
    }

    @Test
    void ownersAreRightInAnExistingSetGidDirectory(@TempDir Path tmp) throws Exception {
        // a new file inherits a set-gid directory's group: the archive's 0:0 must still win
        Path target = tmp.resolve("target");
        bash("mkdir -p \"$1/mail\"; chgrp 8 \"$1/mail\"; chmod 2775 \"$1/mail\"", target.toString());
        Path archive = tmp.resolve("t.tar");
        TarBuilder.Member f = TarBuilder.file("mail/root", "x");
        TarBuilder.Member g = TarBuilder.file("mail/user", "y");
        g.uid = 1000;
        g.gid = 8;
        new TarBuilder().add(TarBuilder.dir("mail/")).add(f).add(g).write(archive);
        Archives.extractTar(archive, target, ExtractOptions.defaults());
        assertEquals("0:0\n1000:8\n", bash("stat -c %u:%g \"$1/mail/root\" \"$1/mail/user\"", target.toString()));
    }

    @Test
    void aMissingArchiveIsNamed(@TempDir Path tmp) {
        ArchiveException e = assertThrows(ArchiveException.class,
                () -> Archives.extractTar(tmp.resolve("nope.tgz"), tmp.resolve("t"), ExtractOptions.defaults()));
        assertTrue(e.getMessage().startsWith("cannot read " + tmp.resolve("nope.tgz")), e.getMessage());
    }
}

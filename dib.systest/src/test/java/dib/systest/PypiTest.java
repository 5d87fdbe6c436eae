// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pypi element in real builds: the cache's mirror is mounted read-only at /tmp/pypi
 * for the chroot phases, pip and easy_install point at the mirrors while the image is
 * built, and the image keeps its own configuration afterwards.
 */
@Tag("root")
class PypiTest {
    @TempDir
    Path work;
    TestWorkspace ws;

    @BeforeEach
    void dirs() throws Exception {
        ws = TestWorkspace.in(work);
    }


    /** {@code disk-image-create [OPTIONS] -o img -t tar fixture-busybox pypi utility-probe [ELEMENTS]} */
    private Dib.Result build(Dib dib, String... more) throws Exception {
        List<String> args = Stream.concat(Stream.concat(Stream.of(more).filter(a -> a.startsWith("-")),
                Stream.of("-o", "img", "-t", "tar", "fixture-busybox", "pypi", "utility-probe")),
                Stream.of(more).filter(a -> !a.startsWith("-"))).toList();
        return dib.run("disk-image-create", args.toArray(String[]::new));
    }

    private List<String> mirrorFiles() throws Exception {
        try (var s = Files.walk(ws.cache().resolve("pypi/mirror"))) {
            return s.map(p -> ws.cache().resolve("pypi/mirror").relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void theCachesMirrorIsUsedAndTheImagesOwnConfigurationComesBack() throws Exception {
        Commands.write(ws.cache().resolve("pypi/mirror/simple/dib-probe/index.html"), "<a href=x.whl>x</a>\n");
        List<String> before = mirrorFiles();
        Dib.Result r = build(ws.dib().env("DIB_UTILITY_PROBE_PIP", "1"));
        assertEquals(0, r.exit(), r.all());
        ImageTar img = ws.image();

        assertEquals("""
                [global]
                log = /root/pip.log
                index-url = file:///tmp/pypi
                extra-index-url =
                    https://pypi.org/simple
                """, img.read("./utility-probe/pip.conf"), "during install");
        assertEquals("[easy_install]\nindex_url = file:///tmp/pypi\n", img.read("./utility-probe/pydistutils.cfg"));
        assertEquals(".\n./simple\n./simple/dib-probe\n./simple/dib-probe/index.html\n",
                img.read("./utility-probe/pypi-ls"), "the mirror at /tmp/pypi");
        assertEquals("read-only\n", img.read("./utility-probe/pypi-write"));

        assertEquals("original pip.conf\n", img.read("./root/.pip/pip.conf"), "restored after post-install");
        assertEquals("original pydistutils.cfg\n", img.read("./root/.pydistutils.cfg"));
        assertFalse(img.has("./root/.pip/pip.conf.orig"));
        assertFalse(img.has("./root/.pydistutils.cfg.orig"));
        assertFalse(img.has("./tmp/pypi"), "the mount point is gone with /tmp's content");
        assertEquals(before, mirrorFiles(), "the mirror in the cache is untouched");
        assertEquals(List.of(), Leftovers.under(ws.tmp()), "the bind mount is released");
    }

    @Test
    void configuredMirrorsInNameOrderAndNoPublicIndexOffline() throws Exception {
        Dib.Result r = build(ws.dib().env("DIB_PYPI_MIRROR_URL", "http://m0.example/simple")
                .env("DIB_PYPI_MIRROR_URL_2", "https://m2.example:8443/pypi/")
                .env("DIB_PYPI_MIRROR_URL_10", "http://user@m10.example/x").env("DIB_PYPI_MIRROR_URL_3", "")
                .env("DIB_PIP_RETRIES", "0"), "--offline");
        assertEquals(0, r.exit(), r.all());
        ImageTar img = ws.image();
        assertEquals("""
                [global]
                log = /root/pip.log
                index-url = http://m0.example/simple
                trusted-host = m0.example m10.example m2.example
                retries = 0
                extra-index-url =
                    http://user@m10.example/x
                    https://m2.example:8443/pypi/
                """, img.read("./utility-probe/pip.conf"));
        assertEquals("[easy_install]\nindex_url = http://m0.example/simple\n",
                img.read("./utility-probe/pydistutils.cfg"));
        assertFalse(img.has("./utility-probe/pypi-ls"), "no mirror in the cache, nothing mounted");
        assertFalse(img.has("./root/.pip"), "created for the build, removed after it");
        assertFalse(img.has("./root/.pydistutils.cfg"));
        assertFalse(img.has("./root/pip.log"));
    }

    @Test
    void noPublicIndexWhenAskedNot() throws Exception {
        Dib.Result r = build(ws.dib().env("DIB_PYPI_MIRROR_URL", "http://m0.example/simple").env("DIB_NO_PYPI_PIP", "1"));
        assertEquals(0, r.exit(), r.all());
        String conf = ws.image().read("./utility-probe/pip.conf");
        assertFalse(conf.contains("pypi.org") || conf.contains("extra-index-url"), conf);

        r = build(ws.dib().env("DIB_PYPI_MIRROR_URL", "http://m0.example/simple"));
        assertEquals(0, r.exit(), r.all());
        conf = ws.image().read("./utility-probe/pip.conf");
        assertTrue(conf.endsWith("extra-index-url =\n    https://pypi.org/simple\n"), conf);
    }

    @Test
    void aFailingBuildReleasesTheMirrorMount() throws Exception {
        Commands.write(ws.cache().resolve("pypi/mirror/simple/index.html"), "index\n");
        List<String> before = mirrorFiles();
        Dib.Result r = build(ws.dib().env("DIB_PROBE_FAIL", "install"), "phase-probe");
        assertNotEquals(0, r.exit(), r.all());
        assertTrue(r.stderr().contains("hook install.d/50-probe-install of element 'phase-probe'"), r.all());
        assertTrue(r.stdout().contains("pypi: mirror " + ws.cache().resolve("pypi/mirror") + " mounted read-only at /tmp/pypi"),
                r.stdout());
        assertEquals(List.of(), Leftovers.under(ws.tmp()));
        assertEquals(before, mirrorFiles());
    }
}

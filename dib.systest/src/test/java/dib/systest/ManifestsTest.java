// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifests element in real builds: the manifest directory exists for extra-data
 * onwards, cleanup.d adds the build settings, saves the directory next to the image and
 * locks the files in the image down to root.
 */
@Tag("root")
class ManifestsTest {
    @TempDir
    Path work;
    TestWorkspace ws;

    @BeforeEach
    void dirs() throws Exception {
        ws = TestWorkspace.in(work);
    }

    private static final List<String> ARGS = List.of("-o", "img", "-t", "tar", "fixture-busybox", "manifests",
            "utility-probe");

    @Test
    void manifestsAreKeptInTheImageAndSavedNextToIt() throws Exception {
        Dib.Result r = ws.dib().env("DIB_MANIFEST_TEST_SECRET", "s3cret \"quoted\" $value")
                .env("DIB_MANIFEST_TEST_LINES", "first line\nsecond line").run("disk-image-create",
                        ARGS.toArray(String[]::new));
        assertEquals(0, r.exit(), r.all());
        ImageTar img = ws.image();
        String dir = "./etc/dib-manifests";
        assertTrue(img.entry(dir).directory());
        assertEquals(List.of(dir + "/dib_arguments", dir + "/dib_environment", dir + "/utility-probe"),
                img.under(dir).stream().sorted().toList());
        for (String f : img.under(dir)) {
            assertEquals("-rw-------", img.entry(f).mode(), f + " readable by root only");
            assertEquals("0/0", img.entry(f).owner(), f);
        }
        assertEquals("probe manifest\n", img.read(dir + "/utility-probe"), "written from the chroot in install.d");
        assertEquals(String.join(" ", ARGS) + "\n", img.read(dir + "/dib_arguments"));

        String env = img.read(dir + "/dib_environment");
        assertTrue(env.lines().allMatch(l -> l.startsWith("declare -x DIB_") || !l.startsWith("declare")), env);
        // the file is valid bash that gives the values back
        Path copy = work.resolve("dib_environment");
        Files.writeString(copy, env);
        String back = Commands.run(null, "bash", "-c",
                "source \"$1\"; printf '%s|%s' \"$DIB_MANIFEST_TEST_SECRET\" \"$DIB_MANIFEST_TEST_LINES\"", "x",
                copy.toString());
        assertEquals("s3cret \"quoted\" $value|first line\nsecond line", back);

        Path saved = ws.out().resolve("img.d/dib-manifests");
        for (String f : List.of("dib_arguments", "dib_environment", "utility-probe")) {
            assertEquals(img.read(dir + "/" + f), Files.readString(saved.resolve(f)), f + " saved");
        }
        assertTrue(r.stdout().contains("manifests: saved /etc/dib-manifests to " + saved), r.stdout());

        // a second build of the same image replaces the saved copy instead of nesting it
        r = ws.dib().env("DIB_MANIFEST_TEST_SECRET", "second").run("disk-image-create", ARGS.toArray(String[]::new));
        assertEquals(0, r.exit(), r.all());
        assertFalse(Files.exists(saved.resolve("dib-manifests")), "not nested");
        assertTrue(Files.readString(saved.resolve("dib_environment"))
                .contains("declare -x DIB_MANIFEST_TEST_SECRET=\"second\""));
        assertFalse(Files.readString(saved.resolve("dib_environment")).contains("DIB_MANIFEST_TEST_LINES"));
        assertEquals(List.of(), Leftovers.under(ws.tmp()));
    }

    @Test
    void imageAndSaveDirectoriesCanBeChosen() throws Exception {
        Path save = work.resolve("saved-here");
        Dib.Result r = ws.dib().env("DIB_MANIFEST_IMAGE_DIR", "/var/lib/build-manifests")
                .env("DIB_MANIFEST_SAVE_DIR", save.toString()).run("disk-image-create", ARGS.toArray(String[]::new));
        assertEquals(0, r.exit(), r.all());
        ImageTar img = ws.image();
        assertFalse(img.has("./etc/dib-manifests"));
        assertEquals("probe manifest\n", img.read("./var/lib/build-manifests/utility-probe"));
        assertEquals("-rw-------", img.entry("./var/lib/build-manifests/dib_environment").mode());
        assertEquals("probe manifest\n", Files.readString(save.resolve("build-manifests/utility-probe")));
        assertFalse(Files.exists(ws.out().resolve("img.d/dib-manifests")));
    }

    @Test
    void aRelativeImageDirectoryIsRefused() throws Exception {
        Dib.Result r = ws.dib().env("DIB_MANIFEST_IMAGE_DIR", "etc/manifests").run("disk-image-create",
                ARGS.toArray(String[]::new));
        assertNotEquals(0, r.exit(), r.all());
        String err = r.stderr().strip();
        assertEquals(1, err.lines().count(), r.all());
        assertTrue(err.contains("extra-data.d/20-manifests-dir of element 'manifests'")
                && err.contains("DIB_MANIFEST_IMAGE_DIR must be an absolute path in the image, not 'etc/manifests'"),
                err);
        assertFalse(Files.exists(ws.out().resolve("img.tar")));
        assertEquals(List.of(), Leftovers.under(ws.tmp()));
    }
}

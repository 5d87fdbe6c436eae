// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upstream-named commands accept upstream's command lines and exit as upstream's do:
 * 0 for help and version, 1 for getopt errors of disk-image-create/ramdisk-image-create
 * (upstream prints getopt's message and "Terminating..."), 2 for usage errors of
 * element-info (argparse), 1 for failures; messages are one line on stderr.
 */
class ShellCliParityTest {
    @TempDir
    Path work;

    private Dib dib() throws Exception {
        return new Dib(Files.createDirectories(work.resolve("out")))
                .env("DIB_DEPLOY_DIR", work.resolve("deploy").toString());
    }

    private static void fails(Dib.Result r, int status, String message) {
        assertEquals(status, r.exit(), r.all());
        assertEquals(1, r.stderr().strip().lines().count(), "one line: " + r.all());
        assertTrue(r.stderr().startsWith(message), "expected '" + message + "': " + r.all());
    }

    @Test
    void diskImageCreate() throws Exception {
        Dib dib = dib();
        Dib.Result r = dib.run("disk-image-create", "--help");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.stdout().startsWith("usage: disk-image-create [OPTIONS]... ELEMENT...\n"), r.all());
        // getopt: unambiguous abbreviations of long options work, as with GNU getopt
        r = dib.run("disk-image-create", "--vers");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.stdout().matches("dib \\S+\n"), r.all());
        fails(dib.run("disk-image-create", "-o", "x", "--no-such", "fixture-busybox"), 1,
                "disk-image-create: unrecognized option '--no-such'");
        fails(dib.run("disk-image-create", "--m", "3", "fixture-busybox"), 1,
                "disk-image-create: option '--m' is ambiguous; possibilities:");
        fails(dib.run("disk-image-create", "-z", "fixture-busybox"), 1, "disk-image-create: invalid option -- 'z'");
        fails(dib.run("disk-image-create", "--offline=yes", "fixture-busybox"), 1,
                "disk-image-create: option '--offline' doesn't allow an argument");
        fails(dib.run("disk-image-create", "-t", "tar"), 1,
                "ERROR: At least one distribution root element must be specified");
    }

    @Test
    void ramdiskImageCreate() throws Exception {
        Dib dib = dib();
        Dib.Result r = dib.run("ramdisk-image-create", "-h");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.stdout().startsWith("usage: ramdisk-image-create "), r.all());
        assertTrue(r.stdout().contains("--ramdisk-element"), r.all());
        fails(dib.run("ramdisk-image-create", "--bogus", "x"), 1,
                "ramdisk-image-create: unrecognized option '--bogus'");
        fails(dib.run("ramdisk-image-create", "-o"), 1, "ramdisk-image-create: option requires an argument -- 'o'");
        fails(dib.run("ramdisk-image-create", "-o", "deploy"), 1,
                "ERROR: At least one distribution root element must be specified");
    }

    @Test
    void elementInfo() throws Exception {
        Dib dib = dib();
        // options after operands, as GNU getopt and argparse allow; -d is 2014's spelling
        Dib.Result r = dib.run("element-info", "phase-probe", "fixture-busybox", "-d");
        assertEquals(0, r.exit(), r.all());
        assertEquals("phase-probe fixture-busybox phase-probe-dep\n", r.stdout(), r.all());
        r = dib.run("element-info", "--env", "fixture-busybox");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.stdout().startsWith("export IMAGE_ELEMENT=fixture-busybox\n"), r.all());
        assertTrue(r.stdout().contains("export -f get_image_element_array;"), r.all());
        fails(dib.run("element-info"), 2, "element-info: at least one element is required");
        fails(dib.run("element-info", "--bogus", "fixture-busybox"), 2, "element-info: unrecognized option '--bogus'");
        fails(dib.run("element-info", "-d", "no-such-element"), 1, "element 'no-such-element' not found");
    }

    @Test
    void diskImageGetKernel() throws Exception {
        Dib dib = dib();
        Dib.Result r = dib.run("disk-image-get-kernel", "-h");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.stdout().startsWith("usage: disk-image-get-kernel -i IMAGE [-d OUTDIR] [-o PREFIX] [-x]"),
                r.all());
        fails(dib.run("disk-image-get-kernel"), 1, "disk-image-get-kernel: an image is required (-i IMAGE)");
        fails(dib.run("disk-image-get-kernel", "-z"), 1, "disk-image-get-kernel: invalid option -- 'z'");
        fails(dib.run("disk-image-get-kernel", "-i"), 1, "disk-image-get-kernel: option requires an argument -- 'i'");
        fails(dib.run("disk-image-get-kernel", "-i", "x.qcow2", "extra"), 1,
                "disk-image-get-kernel: unexpected argument 'extra'");
        r = dib.run("disk-image-get-kernel", "-d", work.toString(), "-o", "bm", "-i", "missing.qcow2");
        fails(r, 1, "disk-image-get-kernel: ");
        assertTrue(r.stderr().contains("missing.qcow2"), r.all());
    }

    @Test
    void binDibItself() throws Exception {
        Dib dib = dib();
        // no terminal, no command: usage with dib's commands, exit 2 (never an idle console)
        Dib.Result r = dib.run("dib");
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.stderr().startsWith("usage: dib "), r.all());
        for (String c : new String[] { "create, disk-image-create", "ramdisk, ramdisk-image-create", "builds", "log",
            "cancel", "elements", "element-info", "distros", "layouts", "bundles", "install", "uninstall", "gc" }) {
            assertTrue(r.stderr().lines().anyMatch(l -> l.matches("  " + c + " +\\S.*")), c + ": " + r.all());
        }
        r = dib.run("dib", "help", "--json");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.stdout().contains("\"names\": [\n      \"create\",\n      \"disk-image-create\"\n    ],"),
                r.all());
        // dib's command wins over the framework's of the same name (felix:log, felix:install, ...)
        fails(dib.run("dib", "log", "1"), 1, "log: no build with id '1'");
        r = dib.run("dib", "install", "-h");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.stdout().startsWith("usage: install [--json] LOCATION"), r.all());
        // a whole Gogo command line: dib's commands without scope there too
        r = dib.run("dib", "layouts --json; builds --json");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.stdout().contains("\"outputTypes\"") && r.stdout().strip().endsWith("[]"), r.all());
        fails(dib.run("dib", "no-such-command"), 1, "error: Command not found: no-such-command");
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.test.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A file tree with everything extraction must keep (owners, set-uid, sticky and read-only
 * directories, links, devices, FIFOs, binary extended attributes, sparse files, long and
 * non-ASCII names, old times), and a manifest to compare trees by.
 */
final class Trees {
    private Trees() {
    }

    /** Runs a bash script with arguments; fails the test when it fails. */
    static String bash(String script, String... args) throws IOException, InterruptedException {
        String[] argv = new String[args.length + 4];
        argv[0] = "bash";
        argv[1] = "-euc";
        argv[2] = script;
        argv[3] = "bash";
        System.arraycopy(args, 0, argv, 4, args.length);
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), script + "\n" + out);
        return out;
    }

    /** Builds the rich tree in {@code dir} (needs root). */
    static void rich(Path dir) throws IOException, InterruptedException {
        bash("cd \"$1\"\n"
                + "mkdir -p dir/sub ro tmpdir\n"
                + "echo hello > dir/file\n"
                + "setfattr -n user.note -v hello dir/file\n"
                + "setfattr -n user.bin -v 0xff00fe80 dir/file\n"
                + "printf x > setuid; chown 1000:1001 setuid; chmod 4755 setuid\n"
                + "setfattr -n security.capability -v 0x0100000280000000000000000000000000000000 setuid\n"
                + "printf y > setgid; chown 0:50 setgid; chmod 2710 setgid\n"
                + "ln -s dir/file link\n"
                + "ln dir/file hardlink\n"
                + "mkfifo fifo; chown 7:8 fifo; chmod 620 fifo\n"
                + "mknod null c 1 3; chmod 666 null\n"
                + "mknod blk b 7 99; chown 0:6 blk; chmod 660 blk\n"
                + "echo in > ro/f; chmod 555 ro\n"
                + "chmod 1777 tmpdir\n"
                + "long=$(printf 'd%.0s' $(seq 70))/$(printf 'e%.0s' $(seq 70)); mkdir -p \"$long\"; echo long > \"$long/file\"\n"
                + "ln -s \"$(printf 'x%.0s' $(seq 150))\" longlink\n"
                + "echo u > 'ünïcödé'\n"
                + "truncate -s 50M sparse; echo tail >> sparse\n"
                + "chown -h 1234:4321 link\n"
                + "touch -h -d '2001-02-03 04:05:06' link dir/file setuid\n"
                + "touch -d '1999-12-31 23:59:59' dir/sub\n",
                dir.toString());
    }

    /**
     * @return one line per entry below {@code dir}: type, mode, owner, size, mtime, device
     *         numbers, link count, link target or content hash, extended attributes
     */
    static String manifest(Path dir, boolean xattrs) throws IOException, InterruptedException {
        return bash("cd \"$1\"; find . -mindepth 1 -printf '%P\\n' | LC_ALL=C sort | while IFS= read -r f; do\n"
                + "  printf '%s|%s' \"$f\" \"$(stat -c '%F|%a|%u:%g|%s|%Y|%t:%T|%h' -- \"$f\")\"\n"
                + "  if [ -L \"$f\" ]; then printf '|%s' \"$(readlink -- \"$f\")\";\n"
                + "  elif [ -f \"$f\" ]; then printf '|%s' \"$(sha256sum < \"$f\" | cut -c1-16)\"; fi\n"
                + "  if [ \"$2\" = yes ]; then printf '|%s' \"$(getfattr -h -d -m - -e hex --absolute-names -- \"$f\" "
                + "2>/dev/null | grep -v -e '^#' -e '^$' -e security.selinux | LC_ALL=C sort | tr '\\n' ' ')\"; fi\n"
                + "  echo\n"
                + "done\n"
                + "stat -c 'root|%a|%u:%g|%Y' .\n",
                dir.toString(), xattrs ? "yes" : "no");
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.sandbox.ClosableSandbox;
import dib.core.sandbox.Sandboxes;
import dib.ramdisk.internal.RamdiskBuildCommand;

/**
 * Ramdisks built from the busybox fixture (with the host's kernel) boot under
 * qemu-system-x86_64 with software emulation: the init.d fragments run in order in one
 * shell, {@code troubleshoot} opens a shell that answers on the serial console, and a
 * fragment that reports an error offers the shell, and a fragment that kills the init shell
 * is reported by name with the shell offered.
 */
@Tag("root")
@Tag("boot")
class RamdiskBootTest {
    private static final Duration BOOT = Duration.ofSeconds(300);

    @TempDir
    static Path dir;
    static Path good;
    static Path broken;

    @BeforeAll
    static void build() throws Exception {
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            Path tree = dir.resolve("mnt");
            Fixtures.busybox(sb, tree, true);
            RamdiskBuildCommand c = new RamdiskBuildCommand();
            TestBuild b = new TestBuild(sb, dir, tree,
                    List.of(Fixtures.element("ramdisk-base"), Fixtures.element("ramdisk-test-markers")));
            TestBuild.Outcome o = b.call(c, "--output", "good");
            assertEquals(0, o.status(), o.out() + o.err());
            good = dir.resolve("good");
            TestBuild b2 = new TestBuild(sb, dir.resolve("b2"), tree,
                    List.of(Fixtures.element("ramdisk-base"), Fixtures.element("ramdisk-test-broken")));
            o = b2.call(c, "--output", dir.resolve("broken").toString());
            assertEquals(0, o.status(), o.out() + o.err());
            broken = dir.resolve("broken");
        }
    }

    private static Qemu boot(Path out, String cmdline) throws Exception {
        return new Qemu(out.resolve("kernel"), out.resolve("initramfs"), cmdline, List.of("-nic", "none"));
    }

    @Test
    void fragmentsPrintTheirMarkersInOrderThenItReboots() throws Exception {
        try (Qemu q = boot(good, "")) {
            int one = q.await("DIB-RAMDISK-MARKER-ONE", BOOT).end();
            q.await("DIB-RAMDISK-MARKER-TWO shared=from-one installed=yes", one, BOOT);
            q.await("\nrebooting", one, BOOT);
            assertEquals(0, q.waitFor(Duration.ofSeconds(60)), "qemu exits when the ramdisk reboots\n"
                    + Qemu.tail(q.console()));
        }
    }

    @Test
    void bareTroubleshootFlagOpensAShellOnTheConsole() throws Exception {
        try (Qemu q = boot(good, "troubleshoot")) {
            q.await("troubleshoot=1", BOOT);
            int at = q.await("Starting troubleshooting shell.", BOOT).end();
            Thread.sleep(1000);
            q.send("echo dib-$((6*7))-ok\n");
            q.await("dib-42-ok", at, Duration.ofSeconds(120));
            q.send("exit\n");
            q.await("\nrebooting", at, Duration.ofSeconds(120));
            assertEquals(0, q.waitFor(Duration.ofSeconds(60)));
        }
    }

    @Test
    void aFragmentThatKillsInitIsNamedAndTheShellOffered() throws Exception {
        try (Qemu q = boot(broken, "")) {
            // dib_fail: the message, then the shell offered for 10 s (no key: init goes on)
            int f = q.await("ERROR: DIB-RAMDISK-REPORTED-FAILURE something went wrong", BOOT).end();
            q.await("Troubleshooting required, press t to launch shell\\.", f, BOOT);
            q.await("DIB-RAMDISK-BROKEN about to fail", f, BOOT);
            int at = q.await("ERROR: /init stopped with exit status 3 in fragment 55-test-broken", BOOT).end();
            q.await("press t to launch shell", at, BOOT);
            q.send("t");
            at = q.await("Starting troubleshooting shell.", at, Duration.ofSeconds(60)).end();
            Thread.sleep(1000);
            q.send("echo dib-$((7*6))-shell\n");
            q.await("dib-42-shell", at, Duration.ofSeconds(120));
        }
    }
}

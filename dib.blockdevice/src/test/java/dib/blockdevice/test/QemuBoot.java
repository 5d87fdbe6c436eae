// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.test;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Boots a disk image under qemu (software emulation) and waits for the fixture's marker. */
public final class QemuBoot {
    /** What the fixture's init prints. */
    public static final String MARKER = "DIB-FIXTURE-BOOT-OK";
    /**
     * The boot tests' DIB_BOOTLOADER_DEFAULT_CMDLINE: upstream's default plus {@code quiet},
     * so kernel messages do not interleave with the marker line on the serial console.
     */
    public static final String CMDLINE = "nofb nomodeset gfxpayload=text quiet";
    /** How long a boot may take. */
    public static final long LIMIT_SECONDS = 240;

    private QemuBoot() {
    }

    /** Boots {@code image} and returns the serial console output; fails without the marker in time. */
    public static String boot(Path image, boolean uefi) throws Exception {
        List<String> argv = new ArrayList<>(List.of("qemu-system-x86_64", "-machine", "accel=tcg", "-m", "768",
                "-display", "none", "-no-reboot", "-serial", "stdio", "-monitor", "none", "-drive",
                "file=" + image + ",format=qcow2,if=virtio,snapshot=on"));
        if (uefi) {
            Path vars = image.resolveSibling("OVMF_VARS.fd");
            Files.copy(Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"), vars,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            argv.addAll(List.of("-drive", "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
                    "-drive", "if=pflash,format=raw,file=" + vars));
        }
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        StringBuilder console = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                byte[] buf = new byte[4096];
                int n;
                while ((n = p.getInputStream().read(buf)) > 0) {
                    synchronized (console) {
                        console.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException e) {
                // qemu ended
            }
        });
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
        try {
            while (System.nanoTime() < deadline && p.isAlive()) {
                synchronized (console) {
                    if (console.indexOf(MARKER) >= 0) {
                        break;
                    }
                }
                Thread.sleep(200);
            }
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            reader.join(5000);
        }
        String out;
        synchronized (console) {
            out = console.toString();
        }
        assertTrue(out.contains(MARKER), "no " + MARKER + " within " + LIMIT_SECONDS + " s; console ended with: "
                + out.substring(Math.max(0, out.length() - 3000)));
        return out;
    }

}

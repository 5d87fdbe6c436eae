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

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dib.core.build.BuildRequest;
import dib.core.sandbox.ClosableSandbox;
import dib.core.sandbox.Sandboxes;

/**
 * Builds the busybox fixture with the host's Debian kernel as bootable disks and boots them
 * under qemu (software emulation): the fixture's init prints a marker on the serial console.
 */
@Tag("root")
@Tag("boot")
class BootTest {
    private static final String MARKER = "DIB-FIXTURE-BOOT-OK";
    private static final long LIMIT_SECONDS = 240;
    private static Path work;
    private static Path tree;

    @BeforeAll
    static void fixture() throws Exception {
        work = Files.createTempDirectory("dib-boot-test.");
        tree = Fixtures.busyboxTree(work.resolve("tree"), true);
    }

    @AfterAll
    static void clean() throws Exception {
        Fixtures.run("rm", "-rf", "--one-file-system", work.toString());
    }

    /** Builds a qcow2 of the fixture with these elements and extra variables. */
    private static Path build(String name, List<String> elements, String... env) throws Exception {
        Path dir = work.resolve(name);
        BuildRequest.Builder r = BuildRequest.builder().env("DIB_GRUB_TIMEOUT", "0");
        for (int i = 0; i < env.length; i += 2) {
            r.env(env[i], env[i + 1]);
        }
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            TestBuild b = new TestBuild(dir, sb, r.build(), Fixtures.elements(elements.toArray(String[]::new)));
            // the layer only reads the tree, so every build shares it
            Pipeline.Result res = Pipeline.run(b, tree, true, List.of("qcow2"));
            System.out.println(res.bootloaderOutput());
            return res.outputs().get("qcow2");
        }
    }

    /** Boots {@code image} and returns the serial console output; fails without the marker in time. */
    private static String boot(Path image, boolean uefi) throws Exception {
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

    @Test
    void mbrBootsUnderSeaBios() throws Exception {
        Path img = build("mbr", List.of("fixture-busybox", "vm", "block-device-mbr", "bootloader"));
        String console = boot(img, false);
        assertTrue(console.contains("root=/dev/vda1"), console);
    }

    @Test
    void efiBootsUnderOvmf() throws Exception {
        Path img = build("efi", List.of("fixture-busybox", "vm", "block-device-efi", "bootloader"));
        String console = boot(img, true);
        assertTrue(console.contains("root=/dev/vda3"), console);
    }

    @Test
    void efiLayoutAlsoBootsUnderSeaBios() throws Exception {
        Path img = build("efi-bios", List.of("fixture-busybox", "vm", "block-device-efi", "bootloader"));
        String console = boot(img, false);
        assertTrue(console.contains("root=/dev/vda3"), console);
    }

    @Test
    void gptBootsUnderSeaBios() throws Exception {
        Path img = build("gpt", List.of("fixture-busybox", "vm", "block-device-gpt", "bootloader"));
        String console = boot(img, false);
        assertTrue(console.contains("root=/dev/vda2"), console);
    }

    @Test
    void extlinuxMbrBootsUnderSeaBios() throws Exception {
        Path img = build("extlinux", List.of("fixture-busybox", "vm", "block-device-mbr", "bootloader"),
                "DIB_EXTLINUX", "1");
        String console = boot(img, false);
        assertTrue(console.contains("root=/dev/vda1"), console);
    }
}

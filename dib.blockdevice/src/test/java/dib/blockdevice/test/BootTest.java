// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.test;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    @TempDir
    static Path work;
    private static Path tree;

    @BeforeAll
    static void fixture() throws Exception {
        tree = Fixtures.busyboxTree(work.resolve("tree"), true);
    }


    /** Builds a qcow2 of the fixture with these elements and extra variables. */
    private static Path build(String name, List<String> elements, String... env) throws Exception {
        Path dir = work.resolve(name);
        BuildRequest.Builder r = BuildRequest.builder().env("DIB_GRUB_TIMEOUT", "0")
                .env("DIB_BOOTLOADER_DEFAULT_CMDLINE", QemuBoot.CMDLINE);
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

    @Test
    void mbrBootsUnderSeaBios() throws Exception {
        Path img = build("mbr", List.of("fixture-busybox", "vm", "block-device-mbr", "bootloader"));
        String console = QemuBoot.boot(img, false);
        assertTrue(console.contains("root=/dev/vda1"), console);
    }

    @Test
    void efiBootsUnderOvmf() throws Exception {
        Path img = build("efi", List.of("fixture-busybox", "vm", "block-device-efi", "bootloader"));
        String console = QemuBoot.boot(img, true);
        assertTrue(console.contains("root=/dev/vda3"), console);
    }

    @Test
    void efiLayoutAlsoBootsUnderSeaBios() throws Exception {
        Path img = build("efi-bios", List.of("fixture-busybox", "vm", "block-device-efi", "bootloader"));
        String console = QemuBoot.boot(img, false);
        assertTrue(console.contains("root=/dev/vda3"), console);
    }

    @Test
    void gptBootsUnderSeaBios() throws Exception {
        Path img = build("gpt", List.of("fixture-busybox", "vm", "block-device-gpt", "bootloader"));
        String console = QemuBoot.boot(img, false);
        assertTrue(console.contains("root=/dev/vda2"), console);
    }

    @Test
    void extlinuxMbrBootsUnderSeaBios() throws Exception {
        Path img = build("extlinux", List.of("fixture-busybox", "vm", "block-device-mbr", "bootloader"),
                "DIB_EXTLINUX", "1");
        String console = QemuBoot.boot(img, false);
        assertTrue(console.contains("root=/dev/vda1"), console);
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.blockdevice.internal.KernelSelector;
import dib.core.build.BuildException;

/** Upstream's select_boot_kernel_initrd rules. */
class KernelSelectorTest {
    private static Path root(Path dir, String release, String... boot) throws Exception {
        Files.createDirectories(dir.resolve("etc"));
        Files.createDirectories(dir.resolve("boot"));
        if (release != null) {
            Files.writeString(dir.resolve("etc").resolve(release), "x\n");
        }
        for (String b : boot) {
            Files.writeString(dir.resolve("boot").resolve(b), b);
        }
        return dir;
    }

    @Test
    void debianPrefersGenericAndNewest(@TempDir Path dir) throws Exception {
        Path r = root(dir, "debian_version", "vmlinuz-5.4.0-9-generic", "vmlinuz-5.4.0-10-generic",
                "vmlinuz-6.0.0-1-custom", "initrd.img-5.4.0-9-generic", "initrd.img-5.4.0-10-generic");
        assertEquals(new KernelSelector.Choice("vmlinuz-5.4.0-10-generic", "initrd.img-5.4.0-10-generic"),
                KernelSelector.select(r, Map.of()));
    }

    @Test
    void debianWithoutGeneric(@TempDir Path dir) throws Exception {
        Path r = root(dir, "debian_version", "vmlinuz-6.1.0-9-amd64", "vmlinuz-6.1.0-10-amd64",
                "initrd.img-6.1.0-9-amd64", "initrd.img-6.1.0-10-amd64");
        assertEquals(new KernelSelector.Choice("vmlinuz-6.1.0-10-amd64", "initrd.img-6.1.0-10-amd64"),
                KernelSelector.select(r, Map.of()));
    }

    @Test
    void redHatPrefersPaeAndNeverDebug(@TempDir Path dir) throws Exception {
        Path r = root(dir, "redhat-release", "vmlinuz-5.14.0-1.el9.x86_64", "vmlinuz-5.14.0-9.el9.x86_64+debug",
                "initramfs-5.14.0-1.el9.x86_64.img");
        assertEquals(new KernelSelector.Choice("vmlinuz-5.14.0-1.el9.x86_64", "initramfs-5.14.0-1.el9.x86_64.img"),
                KernelSelector.select(r, Map.of()));
        Files.writeString(r.resolve("boot/vmlinuz-5.10.0-1.PAE"), "pae");
        String e = assertThrows(BuildException.class, () -> KernelSelector.select(r, Map.of())).getMessage();
        assertTrue(e.contains("can't find an initramfs for the 5.10.0-1.PAE version"), e);
    }

    @Test
    void patternsWinAndSuseFollowsLinksInsideTheImage(@TempDir Path dir) throws Exception {
        Path r = root(dir.resolve("p"), null, "kernel-a", "kernel-b", "rd-a", "rd-b");
        assertEquals(new KernelSelector.Choice("kernel-b", "rd-b"), KernelSelector.select(r, Map.of(
                "DIB_BAREMETAL_KERNEL_PATTERN", "kernel-*", "DIB_BAREMETAL_INITRD_PATTERN", "rd-*")));
        String e = assertThrows(BuildException.class, () -> KernelSelector.select(r, Map.of())).getMessage();
        assertTrue(e.startsWith("unable to detect the operating system of the image"), e);

        Path s = root(dir.resolve("s"), "SuSE-release", "vmlinuz-6.4.0-1-default", "initrd-6.4.0-1-default");
        Files.createSymbolicLink(s.resolve("boot/vmlinuz"), Path.of("/boot/vmlinuz-6.4.0-1-default"));
        Files.createSymbolicLink(s.resolve("boot/initrd"), Path.of("initrd-6.4.0-1-default"));
        assertEquals(new KernelSelector.Choice("vmlinuz-6.4.0-1-default", "initrd-6.4.0-1-default"),
                KernelSelector.select(s, Map.of()), "an absolute link is taken inside the image, not on the host");
    }

    @Test
    void versionOrderIsLsV() {
        assertEquals("vmlinuz-5.10.1", KernelSelector.newest(List.of("vmlinuz-5.9.9", "vmlinuz-5.10.1",
                "vmlinuz-5.10.0"), n -> true));
        assertEquals("a-10", KernelSelector.newest(List.of("a-9", "a-10", "a-09"), n -> true));
    }
}

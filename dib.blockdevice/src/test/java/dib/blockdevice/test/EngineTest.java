// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.ServiceReference;

import dib.blockdevice.KernelExtractor;
import dib.blockdevice.internal.BaremetalCommand;
import dib.blockdevice.internal.BootloaderCommand;
import dib.blockdevice.internal.KernelExtractorImpl;
import dib.blockdevice.internal.LayoutRegistry;
import dib.core.build.Build;
import dib.core.build.BuildRequest;
import dib.core.build.BuildResult;
import dib.core.hook.HookCommand;
import dib.core.image.BlockDeviceLayer;
import dib.core.image.OutputFormat;
import dib.core.internal.build.ImageBuilderImpl;
import dib.core.internal.element.ElementRepositoryImpl;

/**
 * Through dib.core's engine (its framework-free constructor, wired as DS wires it): the
 * fixture with the host's kernel, {@code vm block-device-efi baremetal}, qcow2 and vhd with
 * checksums; the image boots under OVMF and under SeaBIOS, the baremetal files are the
 * kernel and initrd, and disk-image-get-kernel gets them back out of the qcow2.
 */
@Tag("root")
@Tag("boot")
class EngineTest {
    @TempDir
    static Path work;
    private static BuildResult result;

    @SuppressWarnings("unchecked")
    private static ServiceReference<BlockDeviceLayer> reference() {
        return (ServiceReference<BlockDeviceLayer>) Proxy.newProxyInstance(EngineTest.class.getClassLoader(),
                new Class<?>[] { ServiceReference.class }, (p, m, a) -> switch (m.getName()) {
                    case "compareTo" -> 0;
                    case "hashCode" -> 1;
                    case "equals" -> p == a[0];
                    default -> null;
                });
    }

    @BeforeAll
    static void build() throws Exception {
        Files.createDirectories(work.resolve("out"));
        ImageBuilderImpl engine = new ImageBuilderImpl(new ElementRepositoryImpl(), work.resolve("state"));
        LayoutRegistry registry = new LayoutRegistry();
        engine.addLayer(Layers.layer(registry), reference());
        for (Map.Entry<String, OutputFormat> f : Pipeline.FORMATS.entrySet()) {
            engine.addFormat(f.getValue(), Map.of(OutputFormat.TYPE, f.getKey()));
        }
        engine.addCommand(new BootloaderCommand(registry), Map.of(HookCommand.NAME, "bootloader"));
        engine.addCommand(new BaremetalCommand(), Map.of(HookCommand.NAME, "baremetal"));
        String path = Fixtures.TEST_ELEMENTS + ":" + Fixtures.ELEMENTS;
        Build b = engine.start(BuildRequest.builder().skipBase(true).elements(List.of("fixture-busybox", "vm",
                "block-device-efi", "baremetal")).imageName(work.resolve("out/image").toString())
                .types(List.of("qcow2", "vhd")).checksum(true).workingDirectory(work)
                .env("ELEMENTS_PATH", path).env("DIB_FIXTURE_KERNEL", "1").env("DIB_GRUB_TIMEOUT", "0")
                .env("DIB_BOOTLOADER_DEFAULT_CMDLINE", QemuBoot.CMDLINE)
                .env("DIB_BAREMETAL_KERNEL_PATTERN", "vmlinuz-*").env("DIB_BAREMETAL_INITRD_PATTERN", "initrd.img-*")
                .env("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").build());
        result = b.await();
        assertTrue(result.succeeded(), result.message() + "\n" + Files.readString(result.log()));
    }


    private static Path out(String name) {
        return work.resolve("out").resolve(name);
    }

    @Test
    void outputsAndChecksums() throws Exception {
        assertEquals("qcow2", Inspect.format(out("image.qcow2")));
        assertEquals("vpc", Inspect.format(out("image.vhd")));
        assertEquals(Inspect.virtualSize(out("image.qcow2")), Inspect.virtualSize(out("image.vhd")));
        for (String f : List.of("image.qcow2", "image.vhd")) {
            Fixtures.run(Map.of(), "sh", "-c", "cd " + out("") + " && md5sum -c " + f + ".md5 && sha256sum -c " + f
                    + ".sha256");
        }
        assertEquals(List.of(), Fixtures.leftovers(work), "nothing mounted or attached is left");
    }

    @Test
    void baremetalFilesAreTheKernelAndInitrd() throws Exception {
        String v = Fixtures.run("sh", "-c", "ls /boot/vmlinuz-* | sort -V | tail -1").strip()
                .substring("/boot/vmlinuz-".length());
        assertArrayEquals(Files.readAllBytes(Path.of("/boot/vmlinuz-" + v)), Files.readAllBytes(out("image.vmlinuz")));
        assertArrayEquals(Files.readAllBytes(Path.of("/boot/initrd.img-" + v)),
                Files.readAllBytes(out("image.initrd")));
        assertTrue(Files.getPosixFilePermissions(out("image.vmlinuz")).contains(
                java.nio.file.attribute.PosixFilePermission.OTHERS_READ));
    }

    @Test
    void diskImageGetKernelReadsTheQcow2() throws Exception {
        Path dir = Files.createDirectories(work.resolve("kernel"));
        KernelExtractor.Extracted x = new KernelExtractorImpl().extract(out("image.qcow2"), dir, "baremetal",
                Map.of("DIB_BAREMETAL_KERNEL_PATTERN", "vmlinuz-*", "DIB_BAREMETAL_INITRD_PATTERN", "initrd.img-*"),
                l -> { });
        assertEquals(dir.resolve("baremetal-vmlinuz"), x.kernel());
        assertArrayEquals(Files.readAllBytes(out("image.vmlinuz")), Files.readAllBytes(x.kernel()));
        assertArrayEquals(Files.readAllBytes(out("image.initrd")), Files.readAllBytes(x.initrd()));
        assertEquals(List.of(), Fixtures.leftovers(work), "its sandbox took its mounts with it");
    }

    @Test
    void bootsUnderOvmfAndSeaBios() throws Exception {
        String uefi = QemuBoot.boot(out("image.qcow2"), true);
        assertTrue(uefi.contains("root=/dev/vda3"), uefi);
        String bios = QemuBoot.boot(out("image.qcow2"), false);
        assertTrue(bios.contains("root=/dev/vda3"), bios);
    }
}

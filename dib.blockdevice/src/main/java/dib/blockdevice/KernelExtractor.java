// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

import dib.core.build.BuildException;

/**
 * Copies the kernel and initrd out of a disk image (any format {@code qemu-img} reads), as
 * upstream's {@code disk-image-get-kernel} did: without nbd or partition devices, the image
 * is read in a private sandbox and each partition is mounted read-only by offset until one
 * holds a {@code /boot} with a kernel. Kernel and initrd are chosen with the rules of
 * upstream's {@code select_boot_kernel_initrd} (see the bundle README). Thread-safe; needs
 * root.
 *
 * @since 1.0
 */
@ProviderType
public interface KernelExtractor {
    /**
     * What was copied.
     *
     * @param kernel the kernel copy
     * @param initrd the initrd copy
     */
    record Extracted(Path kernel, Path initrd) {
    }

    /**
     * @param image  the disk image
     * @param outDir the directory to write to
     * @param prefix the file name prefix: writes {@code PREFIX-vmlinuz} and {@code PREFIX-initrd}
     * @param env    variables for the choice ({@code DIB_BAREMETAL_KERNEL_PATTERN},
     *               {@code DIB_BAREMETAL_INITRD_PATTERN}, {@code DISTRO_NAME})
     * @param log    receives progress lines
     * @return the copies (world-readable)
     * @throws BuildException if the image cannot be read or holds no kernel
     */
    Extracted extract(Path image, Path outDir, String prefix, Map<String, String> env, Consumer<String> log)
            throws BuildException;
}

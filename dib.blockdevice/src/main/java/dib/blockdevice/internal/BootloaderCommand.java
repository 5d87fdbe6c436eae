// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dib.core.hook.HookCall;
import dib.core.hook.HookCommand;

/**
 * {@code dib-call bootloader}, called by the bootloader element's {@code finalise.d} hook:
 * installs GRUB (or extlinux with {@code DIB_EXTLINUX}) into the calling build's image. Reads
 * the hook's environment ({@code DIB_GRUB_TIMEOUT}, {@code DIB_BOOTLOADER_DEFAULT_CMDLINE},
 * {@code DIB_BOOTLOADER_SERIAL_CONSOLE}, {@code DIB_EXTLINUX}, {@code ARCH}).
 */
@Component(service = HookCommand.class, property = HookCommand.NAME + "=bootloader")
public final class BootloaderCommand implements HookCommand {
    private final LayoutRegistry registry;

    @Activate
    public BootloaderCommand(@Reference LayoutRegistry registry) {
        this.registry = registry;
    }

    @Override
    public int run(HookCall call) throws Exception {
        YamlLayout layout = registry.get(call.build().id());
        new Bootloader(layout, call.environment(), line -> call.out().println(line)).install();
        return 0;
    }
}

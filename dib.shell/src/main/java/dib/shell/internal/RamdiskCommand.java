// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dib.core.build.ImageBuilder;

/** {@code ramdisk} / {@code ramdisk-image-create}: {@link CreateCommand} in ramdisk mode. */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=ramdisk",
        "osgi.command.function=ramdisk-image-create" })
public final class RamdiskCommand extends CreateCommand {
    @Activate
    public RamdiskCommand(@Reference ImageBuilder builder) {
        super(builder, true);
    }
}

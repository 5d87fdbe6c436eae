// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dib.blockdevice.internal.BootloaderCommand;
import dib.blockdevice.internal.LayoutRegistry;
import dib.blockdevice.internal.Outputs;
import dib.blockdevice.internal.YamlLayout;
import dib.core.image.OutputFormat;

/**
 * What the engine does with the block-device layer, in its order: plan, create from the
 * finished tree, finalise (the bootloader element's dib-call), tree outputs, unmount, disk
 * outputs, close. Stands in for dib.core's engine in these tests.
 */
public final class Pipeline {
    /** Every output format this bundle registers, by type. */
    public static final Map<String, OutputFormat> FORMATS = Map.of("qcow2", new Outputs.Qcow2(), "raw",
            new Outputs.Raw(), "vhd", new Outputs.Vhd(), "vmdk", new Outputs.Vmdk(), "tgz", new Outputs.Tgz(),
            "squashfs", new Outputs.Squashfs());

    private static void write(TestBuild b, List<String> types, OutputFormat.Source source, Path input,
            Map<String, Path> outputs) throws Exception {
        for (String t : types) {
            OutputFormat f = FORMATS.get(t);
            if (f.source() == source) {
                Path out = b.imageName().resolveSibling(b.imageName().getFileName() + "." + f.extension());
                f.write(b, input, out);
                outputs.put(t, out);
            }
        }
    }

    /** What a build left. */
    public record Result(Map<String, String> planEnv, Map<String, String> createEnv, Map<String, Path> outputs,
            String bootloaderOutput) {
    }

    private Pipeline() {
    }

    /**
     * @param b          the build
     * @param tree       the finished tree
     * @param bootloader true to run the bootloader hook command as finalise.d would
     * @param types      output types
     */
    public static Result run(TestBuild b, Path tree, boolean bootloader, List<String> types) throws Exception {
        LayoutRegistry registry = new LayoutRegistry();
        Map<String, Path> outputs = new LinkedHashMap<>();
        Files.createDirectories(b.imageName().getParent());
        try (YamlLayout layout = Layers.layer(registry).planLayout(b)) {
            Map<String, String> planEnv = layout.environment();
            planEnv.forEach(b::putEnvironment);
            Map<String, String> createEnv = layout.create(tree, b.mountBase());
            createEnv.forEach(b::putEnvironment);
            String bl = null;
            if (bootloader) {
                TestHookCall call = new TestHookCall(b, List.of(), b.environment());
                int rc = new BootloaderCommand(registry).run(call);
                bl = call.output();
                if (rc != 0) {
                    throw new IllegalStateException("bootloader exited " + rc + ": " + bl);
                }
            }
            write(b, types, OutputFormat.Source.TREE, b.mountBase(), outputs);
            layout.unmount();
            write(b, types, OutputFormat.Source.DISK, layout.rawImage(), outputs);
            return new Result(planEnv, createEnv, outputs, bl);
        }
    }
}

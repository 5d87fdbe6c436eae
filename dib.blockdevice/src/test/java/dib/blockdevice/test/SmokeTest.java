// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.test;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.blockdevice.internal.YamlLayout;
import dib.core.build.BuildRequest;
import dib.core.sandbox.ClosableSandbox;
import dib.core.sandbox.Sandboxes;

@Tag("root")
class SmokeTest {
    @Test
    void bareExt4(@TempDir Path dir) throws Exception {
        Path tree = Fixtures.busyboxTree(dir.resolve("build/built"), false);
        try (ClosableSandbox sb = Sandboxes.open(System.out::println)) {
            TestBuild b = new TestBuild(dir, sb, BuildRequest.builder().env("DIB_IMAGE_EXTRA_SIZE", "100").build(), Fixtures.elements("fixture-busybox"));
            try (YamlLayout l = Layers.layer().planLayout(b)) {
                System.out.println(l.environment());
                Map<String, String> env = l.create(tree, b.mountBase());
                System.out.println(env);
                assertTrue(Files.exists(sb.host(b.mountBase()).resolve("bin/busybox")));
                System.out.println(Files.readString(sb.host(b.mountBase()).resolve("etc/fstab")));
                l.unmount();
                System.out.println(Fixtures.run("file", sb.host(l.rawImage()).toString()));
            }
            b.logLines().forEach(System.out::println);
        }
    }
}

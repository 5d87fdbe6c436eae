// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dib.core.build.BuildContext;
import dib.core.build.BuildException;
import dib.core.element.Element;

/**
 * Chooses a build's block-device configuration as upstream does:
 * {@code DIB_BLOCK_DEVICE_CONFIG=file://PATH}, else {@code DIB_BLOCK_DEVICE_CONFIG} as inline
 * YAML, else the first element (in expansion order) holding {@code block-device-ARCH.yaml}
 * ({@code block-device-ppc64el.yaml} for ppc64le and ppc64el) or else
 * {@code block-device-default.yaml}, else the built-in bare file system.
 *
 * @param text   the YAML text
 * @param source where it came from, for messages
 */
public record ConfigSource(String text, String source) {
    /** The variable that overrides everything. */
    public static final String VARIABLE = "DIB_BLOCK_DEVICE_CONFIG";

    /** The fallback: one file system on the whole image, no partition table. */
    public static final String BUILT_IN = """
            - local_loop:
                name: image0
                mkfs:
                  name: mkfs_root
                  mount:
                    mount_point: /
                    fstab:
                      options: "defaults"
                      fsck-passno: 1
            """;

    /**
     * @param ctx the build
     * @return the configuration to use
     * @throws BuildException if {@code DIB_BLOCK_DEVICE_CONFIG} names a file that cannot be read
     */
    public static ConfigSource choose(BuildContext ctx) throws BuildException {
        String v = ctx.environment().get(VARIABLE);
        if (v != null && v.startsWith("file://")) {
            Path p = ctx.request().workingDirectory().resolve(v.substring("file://".length()));
            try {
                return new ConfigSource(Files.readString(p, StandardCharsets.UTF_8), p.toString());
            } catch (IOException e) {
                throw new BuildException(VARIABLE + ": cannot read " + p + ": " + Messages.describe(e), e);
            }
        }
        if (v != null && !v.isEmpty()) {
            return new ConfigSource(v, VARIABLE);
        }
        String arch = ctx.arch();
        String archFile = "block-device-" + (arch.equals("ppc64le") || arch.equals("ppc64el") ? "ppc64el" : arch)
                + ".yaml";
        for (Element e : ctx.elements().elements()) {
            for (String name : new String[] { archFile, "block-device-default.yaml" }) {
                Path f = e.path().resolve(name);
                if (Files.isRegularFile(f)) {
                    try {
                        return new ConfigSource(Files.readString(f, StandardCharsets.UTF_8),
                                "element " + e.name() + ": " + name);
                    } catch (IOException ex) {
                        throw new BuildException("element " + e.name() + ": cannot read " + f + ": "
                                + Messages.describe(ex), ex);
                    }
                }
            }
        }
        return new ConfigSource(BUILT_IN, "the built-in default");
    }
}

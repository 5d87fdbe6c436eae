// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import dib.core.build.BuildContext;
import dib.core.build.BuildException;
import dib.core.element.Element;
import dib.core.element.ElementSet;
import dib.core.hook.HookCall;
import dib.core.hook.HookCommand;

/**
 * {@code dib-call ramdisk-build [--output DIR]}: builds the kernel + initramfs pair of a
 * ramdisk build from the finished tree. Called by {@code ramdisk-base}'s
 * {@code post-root.d/99-ramdisk-build} (outside the chroot). Reads {@code TARGET_ROOT},
 * {@code TMP_HOOKS_PATH}, {@code TMP_BUILD_DIR} and the settings from the caller's
 * environment; writes {@code DIR/initramfs} and {@code DIR/kernel} (default
 * {@code $TMP_BUILD_DIR/ramdisk}).
 */
@Component(service = HookCommand.class, property = HookCommand.NAME + "=" + RamdiskBuildCommand.NAME)
public final class RamdiskBuildCommand implements HookCommand {
    /** The name hooks call it by. */
    public static final String NAME = "ramdisk-build";

    @Override
    public int run(HookCall call) throws Exception {
        Path output = null;
        for (Iterator<String> it = call.arguments().iterator(); it.hasNext();) {
            String a = it.next();
            if (a.equals("--output") && it.hasNext()) {
                output = call.resolve(it.next());
            } else if (a.startsWith("--output=")) {
                output = call.resolve(a.substring("--output=".length()));
            } else {
                call.err().println(NAME + ": unknown argument '" + a + "' (usage: " + NAME + " [--output DIR])");
                return 2;
            }
        }
        BuildContext build = call.build();
        RamdiskBuilder.Settings settings;
        try {
            settings = settings(call.environment(), output);
        } catch (RamdiskException e) {
            call.err().println(NAME + ": " + e.getMessage());
            return 1;
        }
        RamdiskBuilder builder = new RamdiskBuilder(build.sandbox(), settings, owners(build.elements()),
                line -> {
                    call.out().println(line);
                }, () -> {
                    try {
                        build.checkCancelled();
                    } catch (BuildException e) {
                        throw new CancelledException(e);
                    }
                });
        try {
            RamdiskBuilder.Result r = builder.build();
            call.out().println(NAME + ": wrote " + r.initramfs() + " and " + r.kernel());
            return 0;
        } catch (RamdiskException e) {
            call.err().println(NAME + ": " + e.getMessage());
            return 1;
        } catch (CancelledException e) {
            call.err().println(NAME + ": cancelled");
            return 130;
        }
    }

    /**
     * @param env    the calling hook's environment
     * @param output {@code --output}, or null
     * @return the settings
     */
    static RamdiskBuilder.Settings settings(Map<String, String> env, Path output) throws RamdiskException {
        Path targetRoot = requirePath(env, "TARGET_ROOT");
        Path hooks = requirePath(env, "TMP_HOOKS_PATH");
        Path work = output != null ? output : requirePath(env, "TMP_BUILD_DIR").resolve("ramdisk");
        Long epoch = null;
        String sde = env.get("SOURCE_DATE_EPOCH");
        if (sde != null && !sde.isBlank()) {
            try {
                epoch = Long.parseLong(sde.strip());
            } catch (NumberFormatException e) {
                throw new RamdiskException("SOURCE_DATE_EPOCH=" + sde + " is not a number of seconds");
            }
            if (epoch < 0 || epoch > 0xffffffffL) {
                throw new RamdiskException("SOURCE_DATE_EPOCH=" + sde + " does not fit a cpio header (0..4294967295)");
            }
        }
        Compression compression;
        try {
            compression = Compression.parse(env.get("DIB_RAMDISK_COMPRESSION"));
        } catch (IllegalArgumentException e) {
            throw new RamdiskException(e.getMessage());
        }
        return new RamdiskBuilder.Settings(targetRoot, hooks, work, blankToNull(env.get("DIB_KERNEL_VERSION")),
                prefix(env.get("DIB_MODULE_ROOT")), prefix(env.get("DIB_LIB_UDEV_ROOT")), blankToNull(env.get("BUSYBOX")),
                epoch, compression, "1".equals(env.get("DIB_RAMDISK_KEEP_TREE")), Map.copyOf(env));
    }

    /** Names the element a merged hook file came from, by looking in each element's directory. */
    static RamdiskBuilder.Owners owners(ElementSet elements) {
        List<Element> all = elements == null ? List.of() : elements.elements();
        return (dir, file) -> {
            for (Element e : all) {
                if (Files.exists(e.path().resolve(dir).resolve(file))) {
                    return e.name();
                }
            }
            return null;
        };
    }

    private static Path requirePath(Map<String, String> env, String key) throws RamdiskException {
        String v = env.get(key);
        if (v == null || v.isBlank()) {
            throw new RamdiskException(key + " is not set: ramdisk-build runs from a build's hook (post-root.d)");
        }
        Path p = Path.of(v);
        if (!p.isAbsolute()) {
            throw new RamdiskException(key + "=" + v + " is not an absolute path");
        }
        return p;
    }

    private static String prefix(String v) {
        if (v == null || v.isBlank() || v.equals("/")) {
            return "";
        }
        String s = v.strip();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.startsWith("/") ? s : "/" + s;
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** Carries a build cancellation out of the builder's checkpoints. */
    private static final class CancelledException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CancelledException(BuildException cause) {
            super(cause);
        }
    }

}

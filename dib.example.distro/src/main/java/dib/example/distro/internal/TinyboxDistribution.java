// SPDX-License-Identifier: Apache-2.0
package dib.example.distro.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import dib.core.build.BuildContext;
import dib.core.build.BuildException;
import dib.core.cache.DownloadCache;
import dib.core.distro.Distribution;
import dib.core.hook.HookCall;
import dib.core.sandbox.Exec;
import dib.core.sandbox.SandboxException;

/**
 * The example distribution {@code tinybox}: a root tree made from one statically linked
 * busybox, which is fetched through the build's download cache (so downloads are shared,
 * locked, verified before use and shown as progress) and verified to be a static ELF
 * program before it replaces the cached copy. The tree is written by a small shell script
 * run in the build's sandbox, where {@code TARGET_ROOT} lives.
 *
 * <p>The service property {@value Distribution#NAME} is the name the operating-system
 * element asks for: {@code dib-call distro-root tinybox}.
 */
@Component(service = Distribution.class, property = Distribution.NAME + "=tinybox")
public final class TinyboxDistribution implements Distribution {
    /** Where the busybox comes from unless {@code DIB_TINYBOX_BUSYBOX_URL} says otherwise. */
    static final String DEFAULT_URL = "file:///bin/busybox";

    /** Writes the tree: $R is TARGET_ROOT, $BB the cached busybox (both paths in the sandbox). */
    private static final String TREE = """
            set -eu
            mkdir -p "$R"/bin "$R"/sbin "$R"/etc "$R"/proc "$R"/sys "$R"/dev "$R"/tmp "$R"/root \\
                "$R"/run "$R"/boot "$R"/var/log "$R"/usr/bin "$R"/usr/sbin "$R"/lib
            chmod 1777 "$R/tmp"
            cp "$BB" "$R/bin/busybox"
            chmod 755 "$R/bin/busybox"
            chroot "$R" /bin/busybox --install -s /bin
            echo 'root:x:0:0:root:/root:/bin/sh' > "$R/etc/passwd"
            echo 'root:x:0:' > "$R/etc/group"
            echo tinybox > "$R/etc/hostname"
            printf 'ID=tinybox\\nNAME=tinybox\\nVERSION_ID=%s\\n' "$RELEASE" > "$R/etc/os-release"
            printf '#!/bin/sh\\nmount -t proc proc /proc\\nmount -t sysfs sys /sys\\nexec /bin/sh\\n' \\
                > "$R/sbin/init"
            chmod 755 "$R/sbin/init"
            """;

    @Override
    public String name() {
        return "tinybox";
    }

    @Override
    public String family() {
        return "tinybox";
    }

    @Override
    public List<String> releases() {
        return List.of("1");
    }

    @Override
    public String defaultRelease() {
        return "1";
    }

    @Override
    public String packageManager() {
        return "none";
    }

    @Override
    public Map<String, String> packageNames() {
        return Map.of();
    }

    @Override
    public List<String> elements() {
        return List.of("tinybox");
    }

    @Override
    public void createRoot(HookCall call) throws BuildException {
        Map<String, String> env = call.environment();
        String root = env.get("TARGET_ROOT");
        if (root == null || root.isBlank()) {
            throw new BuildException("tinybox: TARGET_ROOT is not set (run 'dib-call distro-root tinybox' from root.d)");
        }
        String release = env.getOrDefault("DIB_RELEASE", defaultRelease());
        if (!releases().contains(release)) {
            throw new BuildException("tinybox: unknown release '" + release + "' (DIB_RELEASE); known: "
                    + String.join(", ", releases()));
        }
        URI url;
        try {
            url = URI.create(env.getOrDefault("DIB_TINYBOX_BUSYBOX_URL", DEFAULT_URL));
        } catch (IllegalArgumentException e) {
            throw new BuildException("tinybox: DIB_TINYBOX_BUSYBOX_URL is not a URL: " + e.getMessage(), e);
        }
        BuildContext build = call.build();
        DownloadCache cache = build.cache();
        Path cached = cache.directory().resolve("tinybox").resolve("busybox-" + digest(url.toString()));
        cache.locked(cached, () -> cache.fetch(url, cached, new DownloadCache.Fetch(false, f -> {
            try {
                String problem = StaticElf.problem(f);
                if (problem != null) {
                    throw new BuildException("tinybox: " + url + " is " + problem
                            + "; a statically linked busybox is needed (Debian: apt-get install busybox-static)");
                }
            } catch (IOException e) {
                throw new BuildException("tinybox: cannot read the download of " + url + ": " + e.getMessage(), e);
            }
        })));
        call.out().println("tinybox " + release + ": root tree from " + url);
        try {
            build.sandbox().check(Exec.of("/bin/sh", "-c", TREE).env("R", root).env("BB", cached.toString())
                    .env("RELEASE", release).label("tinybox root tree"));
        } catch (SandboxException e) {
            throw new BuildException("tinybox: writing the root tree failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("tinybox: cancelled", e);
        }
    }

    private static String digest(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

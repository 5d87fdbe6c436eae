// SPDX-License-Identifier: Apache-2.0
package dib.distro.debian.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.build.BuildContext;
import dib.core.build.BuildException;
import dib.core.cache.DownloadCache;
import dib.core.hook.HookCall;
import dib.distro.debian.internal.Debootstrap;
import dib.distro.debian.internal.HostMirror;

/** What the debootstrap service reads from the hook's environment, and its one-line refusals. */
class DebootstrapSettingsTest {
    @TempDir
    Path dir;
    Map<String, String> env;
    boolean offline;

    @BeforeEach
    void env() {
        env = new HashMap<>(Map.of("TARGET_ROOT", dir.resolve("mnt").toString(), "DISTRO_NAME", "debian",
                "DIB_RELEASE", "bookworm", "ARCH", "amd64", "DIB_DISTRIBUTION_MIRROR", "http://mirror.lan/debian/"));
    }

    HookCall call() {
        DownloadCache cache = (DownloadCache) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DownloadCache.class}, (p, m, a) -> {
                    if (m.getName().equals("directory")) {
                        return dir.resolve("cache");
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
        BuildContext build = (BuildContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BuildContext.class}, (p, m, a) -> switch (m.getName()) {
                    case "cache" -> cache;
                    case "arch" -> "amd64";
                    case "offline" -> offline;
                    case "id" -> "test";
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        PrintStream out = new PrintStream(java.io.OutputStream.nullOutputStream());
        return new HookCall() {
            @Override public BuildContext build() { return build; }
            @Override public List<String> arguments() { return List.of(); }
            @Override public Map<String, String> environment() { return env; }
            @Override public Path workingDirectory() { return dir; }
            @Override public Path resolve(String p) { return dir.resolve(p); }
            @Override public PrintStream out() { return out; }
            @Override public PrintStream err() { return out; }
        };
    }

    @Test
    void readsUpstreamsVariables() throws Exception {
        env.put("DIB_DEBIAN_COMPONENTS", "main,contrib");
        env.put("DIB_DEBOOTSTRAP_EXTRA_ARGS", "--exclude=nano  --include='a b'");
        env.put("DIB_DEBOOTSTRAP_INCLUDE", "systemd-sysv, busybox,sudo");
        env.put("http_proxy", "http://proxy:3128");
        Debootstrap.Settings s = Debootstrap.settings(call());
        assertEquals("http://mirror.lan/debian", s.mirror());
        assertEquals("main,contrib", s.components());
        assertEquals(List.of("--exclude=nano", "--include=a b"), s.extraArgs());
        assertEquals("systemd-sysv,busybox,sudo", s.include());
        assertEquals(dir.resolve("cache/debootstrap-debian-bookworm-amd64.tar.gz"), s.tarball());
        assertEquals(Map.of("http_proxy", "http://proxy:3128"), s.proxies());
        assertFalse(s.useCache());
        assertFalse(s.writeCache());
        env.put("DIB_DEBOOTSTRAP_CACHE", "1");
        env.put("DIB_DEBIAN_USE_DEBOOTSTRAP_CACHE", "1");
        env.put("DIB_DEBIAN_DISTRIBUTION_MIRROR", "https://other/debian");
        s = Debootstrap.settings(call());
        assertTrue(s.useCache() && s.writeCache());
        assertEquals("https://other/debian", s.mirror());
        env.put("DIB_DEBIAN_USE_DEBOOTSTRAP_CACHE", "0");
        assertFalse(Debootstrap.settings(call()).useCache());
    }

    @Test
    void badSettingsAreOneLineNamingTheVariable() {
        env.put("DIB_RELEASE", "book worm");
        assertEquals("DIB_RELEASE 'book worm' is not a release code name or suite (such as bookworm)",
                assertThrows(BuildException.class, () -> Debootstrap.settings(call())).getMessage());
        env.put("DIB_RELEASE", "bookworm");
        env.put("DIB_DISTRIBUTION_MIRROR", "mirror.lan/debian");
        assertEquals("DIB_DISTRIBUTION_MIRROR 'mirror.lan/debian' is not an http, https, ftp or file URL",
                assertThrows(BuildException.class, () -> Debootstrap.settings(call())).getMessage());
        env.put("DIB_DISTRIBUTION_MIRROR", "http://m/debian");
        env.put("DIB_DEBOOTSTRAP_TOOL", "cdebootstrap");
        assertEquals("DIB_DEBOOTSTRAP_TOOL 'cdebootstrap' is neither debootstrap nor mmdebstrap",
                assertThrows(BuildException.class, () -> Debootstrap.settings(call())).getMessage());
        env.remove("DIB_DEBOOTSTRAP_TOOL");
        env.put("DIB_APT_KEYRING", dir.resolve("missing.gpg").toString());
        assertEquals("the keyring DIB_APT_KEYRING=" + dir.resolve("missing.gpg") + " does not exist",
                assertThrows(BuildException.class, () -> Debootstrap.settings(call())).getMessage());
        env.remove("DIB_APT_KEYRING");
        env.put("DIB_DEBIAN_COMPONENTS", "main contrib");
        assertTrue(assertThrows(BuildException.class, () -> Debootstrap.settings(call())).getMessage()
                .startsWith("DIB_DEBIAN_COMPONENTS 'main contrib'"));
    }

    @Test
    void offlineWithoutTheTarballNamesIt() throws Exception {
        offline = true;
        BuildException e = assertThrows(BuildException.class, () -> Debootstrap.createRoot(call()));
        assertEquals("offline mode (DIB_OFFLINE) and no cached debootstrap tree "
                + dir.resolve("cache/debootstrap-debian-bookworm-amd64.tar.gz")
                + " (build once online with DIB_DEBOOTSTRAP_CACHE=1)", e.getMessage());
        assertFalse(Files.exists(dir.resolve("cache")));
    }

    @Test
    void hostMirrorFromDeb822OrOneLineSources() throws Exception {
        Path apt = Files.createDirectories(dir.resolve("apt/sources.list.d"));
        assertEquals(HostMirror.FALLBACK, HostMirror.find(dir.resolve("apt")));
        Files.writeString(apt.resolve("other.list"), "deb [arch=amd64] http://ppa.example/ubuntu noble main\n"
                + "deb http://local.lan/debian/ bookworm main\n");
        assertEquals("http://local.lan/debian", HostMirror.find(dir.resolve("apt")));
        Files.writeString(apt.resolve("debian.sources"), "Types: deb\n# comment\nURIs: http://deb.example/debian\n"
                + "Suites: bookworm\n\nTypes: deb\nURIs: http://deb.example/debian-security\n");
        assertEquals("http://deb.example/debian", HostMirror.find(dir.resolve("apt")));
    }

    @Test
    void toolErrorLines() {
        assertEquals("E: Failed getting release file http://m/debian/dists/x/Release",
                Debootstrap.reason(List.of("I: Retrieving", "E: Failed getting release file http://m/debian/dists/x/Release",
                        "")));
        assertEquals("last words", Debootstrap.reason(List.of("first", "last words", " ")));
        assertEquals("no output", Debootstrap.reason(List.of()));
    }
}

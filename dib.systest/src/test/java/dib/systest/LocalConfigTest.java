// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local-config element in real builds: the builder's authorized SSH keys go to the
 * chosen image user, proxy settings go to apt, yum, zypper and the stack user's profile
 * when (and only when) the image has them.
 */
@Tag("root")
class LocalConfigTest {
    private static final String KEYS = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDibTestKey builder@host\n";

    @TempDir
    Path work;
    Path home;
    TestWorkspace ws;

    @BeforeEach
    void dirs() throws Exception {
        ws = TestWorkspace.in(work);
        home = Files.createDirectories(work.resolve("home"));
    }

    /** A build as a user whose HOME is the test's. */
    private Dib dib() {
        return ws.dib().env("HOME", home.toString());
    }

    private static Dib.Result build(Dib dib) throws Exception {
        return dib.run("disk-image-create", "-o", "img", "-t", "tar", "fixture-busybox", "local-config",
                "utility-probe");
    }

    @Test
    void keysAndProxiesReachTheToolsTheImageHas() throws Exception {
        Commands.write(home.resolve(".ssh/authorized_keys"), KEYS);
        Dib.Result r = build(dib().env("DIB_UTILITY_PROBE_TOOLS", "1").env("DIB_UTILITY_PROBE_STACK", "1")
                .env("http_proxy", "http://proxy.example:3128").env("https_proxy", "http://sproxy.example:3129")
                .env("no_proxy", "localhost,.internal"));
        assertEquals(0, r.exit(), r.all());
        ImageTar img = ws.image();

        assertEquals(KEYS, img.read("./root/.ssh/authorized_keys"));
        assertEquals("drwx------", img.entry("./root/.ssh").mode());
        assertEquals("-rw-------", img.entry("./root/.ssh/authorized_keys").mode());
        assertEquals("0/0", img.entry("./root/.ssh/authorized_keys").owner());

        assertEquals("Acquire::http::Proxy \"http://proxy.example:3128\";\n",
                img.read("./etc/apt/apt.conf.d/02-use-http-proxy"));
        assertEquals("Acquire::https::Proxy \"http://sproxy.example:3129\";\n",
                img.read("./etc/apt/apt.conf.d/02-use-https-proxy"));
        assertEquals("""
                Acquire::http::Proxy::localhost "DIRECT";
                Acquire::http::Proxy::.internal "DIRECT";
                Acquire::http::Proxy::192.0.2.1 "DIRECT";
                """, img.read("./etc/apt/apt.conf.d/02-no-proxy"));

        assertEquals("""
                [main]
                proxy=http://proxy.example:3128
                gpgcheck=1

                [extras]
                proxy=http://repo-only.example:2
                """, img.read("./etc/yum.conf"), "[main] gets the proxy, other sections keep theirs");

        assertEquals("""
                PROXY_ENABLED="yes"
                HTTP_PROXY="http://proxy.example:3128"
                HTTPS_PROXY="http://sproxy.example:3129"
                NO_PROXY="localhost, 127.0.0.1, localhost,.internal,192.0.2.1"
                """, img.read("./etc/sysconfig/proxy"));

        assertEquals("""
                export http_proxy='http://proxy.example:3128'
                export https_proxy='http://sproxy.example:3129'
                export no_proxy='localhost,.internal,192.0.2.1'
                """, img.read("./home/stack/.profile"));
        assertEquals("1000/1000", img.entry("./home/stack/.profile").owner());
        assertFalse(img.has("./home/stack/.ssh"), "keys go to root by default");
        assertEquals(List.of(), Leftovers.under(ws.tmp()));
    }

    @Test
    void keysForAnotherUserAndNoProxyLeaveTheImageAlone() throws Exception {
        Commands.write(home.resolve(".ssh/authorized_keys"), KEYS);
        Dib.Result r = build(dib().env("DIB_LOCAL_CONFIG_USERNAME", "stack").env("DIB_UTILITY_PROBE_TOOLS", "1")
                .env("DIB_UTILITY_PROBE_STACK", "1"));
        assertEquals(0, r.exit(), r.all());
        ImageTar img = ws.image();
        assertEquals(KEYS, img.read("./home/stack/.ssh/authorized_keys"));
        assertEquals("1000/1000", img.entry("./home/stack/.ssh").owner());
        assertEquals("1000/1000", img.entry("./home/stack/.ssh/authorized_keys").owner());
        assertEquals("drwx------", img.entry("./home/stack/.ssh").mode());
        assertFalse(img.has("./root/.ssh"));
        // without proxy variables nothing is written, not even upstream's 192.0.2.1 exception
        assertEquals(List.of(), img.under("./etc/apt/apt.conf.d"));
        assertFalse(img.has("./home/stack/.profile"));
        assertEquals("PROXY_ENABLED=\"no\"\nHTTP_PROXY=\"\"\nHTTPS_PROXY=\"\"\nNO_PROXY=\"localhost, 127.0.0.1\"\n",
                img.read("./etc/sysconfig/proxy"));
    }

    @Test
    void anImageWithoutPackageManagersGetsNoProxyFiles() throws Exception {
        // no ~/.ssh/authorized_keys on the builder either
        Dib.Result r = build(dib().env("http_proxy", "http://proxy.example:3128"));
        assertEquals(0, r.exit(), r.all());
        ImageTar img = ws.image();
        assertFalse(img.has("./etc/apt"));
        assertFalse(img.has("./etc/yum.conf"));
        assertFalse(img.has("./etc/sysconfig"));
        assertFalse(img.has("./root/.ssh"));
        assertTrue(r.stdout().contains("local-config: proxy settings written for: nothing"), r.stdout());
        assertTrue(r.stdout().contains("local-config: " + home + "/.ssh/authorized_keys does not exist"), r.stdout());
    }

    @Test
    void anUnreadableKeyFileStopsTheBuild() throws Exception {
        Files.createDirectories(home.resolve(".ssh/authorized_keys"));
        Dib.Result r = build(dib());
        assertNotEquals(0, r.exit(), r.all());
        String err = r.stderr().strip();
        assertEquals(1, err.lines().count(), r.all());
        assertTrue(err.contains("extra-data.d/62-local-config-ssh-key of element 'local-config'")
                && err.contains("local-config: cannot read " + home + "/.ssh/authorized_keys"), err);
        assertFalse(Files.exists(ws.out().resolve("img.tar")));
        assertEquals(List.of(), Leftovers.under(ws.tmp()));
    }
}

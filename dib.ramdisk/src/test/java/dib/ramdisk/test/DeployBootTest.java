// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import dib.core.sandbox.ClosableSandbox;
import dib.core.sandbox.Sandboxes;
import dib.ramdisk.internal.RamdiskBuildCommand;

/**
 * The deploy flow end to end on loopback: a deploy ramdisk built from a Debian tree boots
 * in qemu (user networking: the host is 10.0.2.2), exports its virtio disk over iSCSI with
 * tgtd and calls back to an HTTP server run here with the parameters upstream sends; the
 * test then reads and writes the disk through iSCSI, says "done" on the deploy port, and
 * finds its write in the disk image after the ramdisk has stopped the target and rebooted.
 */
@Tag("root")
@Tag("boot")
class DeployBootTest {
    private static final Duration BOOT = Duration.ofSeconds(300);
    private static final String IQN = "iqn.2026-11.dib.test:deploy";
    private static final String MAC = "52:54:00:12:34:56";

    @TempDir
    static Path dir;
    static Path deploy;
    static Path ironic;

    @BeforeAll
    static void build() throws Exception {
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            Path tree = dir.resolve("mnt");
            Fixtures.debian(sb, tree);
            RamdiskBuildCommand c = new RamdiskBuildCommand();
            TestBuild b = new TestBuild(sb, dir.resolve("b1"), tree, List.of(Fixtures.element("ramdisk-base"),
                    Fixtures.element("deploy-tgtadm"), Fixtures.element("deploy")));
            TestBuild.Outcome o = b.call(c, "--output", dir.resolve("deploy").toString());
            assertEquals(0, o.status(), o.out() + o.err());
            deploy = dir.resolve("deploy");
            TestBuild b2 = new TestBuild(sb, dir.resolve("b2"), tree, List.of(Fixtures.element("ramdisk-base"),
                    Fixtures.element("deploy-tgtadm"), Fixtures.element("deploy-ironic")));
            o = b2.call(c, "--output", dir.resolve("ironic").toString());
            assertEquals(0, o.status(), o.out() + o.err());
            ironic = dir.resolve("ironic");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A 64 MiB disk whose first sector holds a marker. */
    private static Path disk(String name) throws IOException {
        Path d = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(d.toFile(), "rw")) {
            f.setLength(64L << 20);
            f.write(Arrays.copyOf("DIB-DEPLOY-DISK-BEFORE".getBytes(StandardCharsets.US_ASCII), 512));
        }
        return d;
    }

    private record Callback(String path, Map<String, String> headers, String body) {
    }

    private static HttpServer server(int port, CompletableFuture<Callback> got) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 4);
        s.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> h = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> h.put(k.toLowerCase(), String.join(",", v)));
            got.complete(new Callback(ex.getRequestMethod() + " " + ex.getRequestURI(), h, body));
            byte[] ok = "{}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, ok.length);
            ex.getResponseBody().write(ok);
            ex.close();
        });
        s.start();
        return s;
    }

    /**
     * Boots {@code ramdisk} (kernel arguments {@code args}; {@code @HTTP@} stands for the
     * test server's port), waits for the callback, checks the iSCSI export, says done.
     */
    private static Callback run(Path ramdisk, String args, List<String> extraNet) throws Exception {
        Path disk = disk(ramdisk.getFileName() + ".raw");
        int http = freePort();
        int iscsi = freePort();
        int done = freePort();
        CompletableFuture<Callback> got = new CompletableFuture<>();
        HttpServer server = server(http, got);
        String net = "user,model=virtio-net-pci,mac=" + MAC + ",hostfwd=tcp:127.0.0.1:" + iscsi + "-:3260,hostfwd=tcp:127.0.0.1:"
                + done + "-:" + http + String.join("", extraNet);
        String cmdline = "BOOTIF=01-" + MAC.replace(':', '-') + " disk=sda,vda deployment_id=dep-123"
                + " deployment_key=KEY456 iscsi_target_iqn=" + IQN + " deploy_port=" + http + " "
                + args.replace("@HTTP@", Integer.toString(http));
        try (Qemu q = new Qemu(ramdisk.resolve("kernel"), ramdisk.resolve("initramfs"), cmdline,
                List.of("-drive", "file=" + disk + ",format=raw,if=virtio,cache=writethrough", "-nic", net))) {
            Callback cb;
            try {
                cb = got.get(BOOT.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("no deploy callback within " + BOOT.toSeconds() + " s:\n"
                        + Qemu.tail(q.console()));
            }
            q.await("starting udevd", BOOT);
            int at = q.await("waiting for notice of complete", BOOT).end();

            // the disk is exported: read the marker, deploy "an image" (one sector), read it back
            byte[] image = Arrays.copyOf("DIB-DEPLOYED-THROUGH-ISCSI".getBytes(StandardCharsets.US_ASCII), 512);
            try (IscsiInitiator i = new IscsiInitiator("127.0.0.1", iscsi, IQN)) {
                long[] cap = i.capacity();
                assertEquals(512, cap[1], "block size");
                assertEquals((64L << 20) / 512, cap[0], "the exported LUN is the 64 MiB disk");
                String first = new String(i.read(0, 1, 512), StandardCharsets.US_ASCII);
                assertTrue(first.startsWith("DIB-DEPLOY-DISK-BEFORE"), "sector 0 over iSCSI: " + first.strip());
                i.write(1, image, 512);
                assertEquals(new String(image, StandardCharsets.US_ASCII),
                        new String(i.read(1, 1, 512), StandardCharsets.US_ASCII));
            }
            // "done": the ramdisk stops the target and reboots
            try (Socket s = new Socket("127.0.0.1", done)) {
                s.getOutputStream().write("done\n".getBytes(StandardCharsets.US_ASCII));
            }
            q.await("stop iSCSI target on /dev/vda", at, BOOT);
            q.await("\nrebooting", at, BOOT);
            assertEquals(0, q.waitFor(Duration.ofSeconds(120)), "qemu exits on reboot\n" + Qemu.tail(q.console()));
            byte[] onDisk = new byte[512];
            try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "r")) {
                f.seek(512);
                f.readFully(onDisk);
            }
            assertEquals(new String(image, StandardCharsets.US_ASCII), new String(onDisk, StandardCharsets.US_ASCII),
                    "the sector written over iSCSI is in the disk image");
            return cb;
        } finally {
            server.stop(0);
            Files.deleteIfExists(disk);
        }
    }

    @Test
    void deployRamdiskExportsTheDiskAndCallsBack() throws Exception {
        // static address and boot server from ip=
        Callback cb = run(deploy, "ip=10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0", List.of());
        assertEquals("POST /", cb.path());
        Map<String, String> form = new LinkedHashMap<>();
        for (String kv : cb.body().split("&")) {
            int eq = kv.indexOf('=');
            form.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
        assertEquals(Map.of("i", "dep-123", "k", "KEY456", "a", "10.0.2.15", "n", IQN, "e", ""), form, cb.body());
    }

    @Test
    void deployIronicPostsJsonWithTheTftpToken() throws Exception {
        Path tftp = Files.createDirectories(dir.resolve("tftp"));
        Files.writeString(tftp.resolve("token-dep-123"), "SECRET-TOKEN-42");
        // address by DHCP (qemu's gives 10.0.2.15), boot server from boot_server=
        Callback cb = run(ironic, "boot_server=10.0.2.2 ironic_api_url=http://10.0.2.2:@HTTP@",
                List.of(",tftp=" + tftp));
        assertEquals("POST /v1/nodes/dep-123/vendor_passthru/pass_deploy_info", cb.path());
        assertEquals("SECRET-TOKEN-42", cb.headers().get("x-auth-token"), cb.headers().toString());
        assertEquals("application/json", cb.headers().get("content-type"));
        assertEquals("{\"address\": \"10.0.2.15\", \"key\": \"KEY456\", \"iqn\": \"" + IQN + "\", \"error\": \"\"}",
                cb.body());
    }
}

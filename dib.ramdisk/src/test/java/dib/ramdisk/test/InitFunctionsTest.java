// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ramdisk's shell functions run by the host's busybox sh (the shell the ramdisk runs
 * them with), on kernel command lines written to a file.
 */
class InitFunctionsTest {
    private static final String VARS = "BOOT_MAC_ADDRESS BOOT_IP_ADDRESS BOOT_SERVER BOOT_GATEWAY BOOT_NETMASK "
            + "BOOT_DEVICE DISK DEPLOYMENT_ID DEPLOYMENT_KEY ISCSI_TARGET_IQN DEPLOY_PORT TROUBLESHOOT";

    @TempDir
    Path dir;

    private String sh(String cmdline, String script) throws IOException, InterruptedException, URISyntaxException {
        Path functions = Path.of(getClass().getResource("/dib/ramdisk/internal/runtime/init-functions").toURI());
        Path file = dir.resolve("cmdline");
        Files.writeString(file, cmdline + "\n");
        Process p = new ProcessBuilder("busybox", "sh", "-c", ". \"$0\"; " + script, functions.toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private Map<String, String> args(String cmdline) throws Exception {
        String out = sh(cmdline, "DIB_CMDLINE_FILE=" + dir.resolve("cmdline")
                + "; dib_read_kernel_args; for v in " + VARS + "; do eval \"echo $v=\\$$v\"; done");
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : out.strip().split("\n")) {
            int eq = l.indexOf('=');
            m.put(l.substring(0, eq), l.substring(eq + 1));
        }
        return m;
    }

    @Test
    void pxeStyleCommandLine() throws Exception {
        Map<String, String> a = args("BOOT_IMAGE=/vmlinuz BOOTIF=01-52-54-00-ab-CD-ef"
                + " ip=10.0.0.5:10.0.0.1:10.0.0.254:255.255.255.0:node1:eth1:off disk=sda,vda deployment_id=42"
                + " deployment_key=k3y iscsi_target_iqn=iqn.2026-11.example:node1 troubleshoot");
        Map<String, String> want = new LinkedHashMap<>();
        want.put("BOOT_MAC_ADDRESS", "52:54:00:AB:CD:EF");
        want.put("BOOT_IP_ADDRESS", "10.0.0.5");
        want.put("BOOT_SERVER", "10.0.0.1");
        want.put("BOOT_GATEWAY", "10.0.0.254");
        want.put("BOOT_NETMASK", "255.255.255.0");
        want.put("BOOT_DEVICE", "eth1");
        want.put("DISK", "sda,vda");
        want.put("DEPLOYMENT_ID", "42");
        want.put("DEPLOYMENT_KEY", "k3y");
        want.put("ISCSI_TARGET_IQN", "iqn.2026-11.example:node1");
        want.put("DEPLOY_PORT", "10000");
        want.put("TROUBLESHOOT", "1");
        assertEquals(want, a, "a bare troubleshoot flag counts");
    }

    @Test
    void dhcpInfinibandAndBootServer() throws Exception {
        Map<String, String> a = args("BOOTIF=20-00-11-22-33-44-55 ip=dhcp boot_server=192.0.2.1 troubleshoot=0"
                + " deploy_port=8080 x=*");
        assertEquals("00:11:22:33:44:55", a.get("BOOT_MAC_ADDRESS"));
        assertEquals("", a.get("BOOT_IP_ADDRESS"));
        assertEquals("192.0.2.1", a.get("BOOT_SERVER"));
        assertEquals("8080", a.get("DEPLOY_PORT"));
        assertEquals("0", a.get("TROUBLESHOOT"));
        assertEquals("1", args("quiet troubleshoot=1").get("TROUBLESHOOT"));
        assertEquals("0", args("quiet").get("TROUBLESHOOT"));
    }

    @Test
    void helpers() throws Exception {
        assertEquals("Could+not+find+disk+x1", sh("", "safe_url_encode 'Could not find disk (x=1)'").strip());
        assertEquals("/dev/sda /dev/vdb /dev/nvme0n1 /dev/cciss/c0d0", sh("",
                "echo $(whole_disk_name sda2) $(whole_disk_name /dev/vdb) $(whole_disk_name nvme0n1p3)"
                        + " $(whole_disk_name cciss/c0d0p1)").strip());
        assertEquals("absent 1|present 0 ''|value v", sh("flag key=v", "DIB_CMDLINE_FILE=" + dir.resolve("cmdline")
                + "; dib_param nope; printf 'absent %s|' $?; f=$(dib_param flag); printf \"present %s '%s'|\" $? \"$f\";"
                + " printf 'value %s' \"$(dib_param key)\"").strip(), "dib_param");
    }
}

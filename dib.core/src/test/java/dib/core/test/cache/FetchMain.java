// SPDX-License-Identifier: Apache-2.0
package dib.core.test.cache;

import java.net.URI;
import java.nio.file.Path;

import dib.core.build.BuildException;
import dib.core.cache.DownloadCache;
import dib.core.internal.cache.HttpDownloadCache;

/**
 * A second JVM for the cross-process lock test: {@code FetchMain URL DEST CACHEDIR} fetches
 * once, prints the outcome and exits 0, or prints the error and exits with its status.
 */
public final class FetchMain {
    private FetchMain() {
    }

    public static void main(String[] args) {
        HttpDownloadCache cache = new HttpDownloadCache(Path.of(args[2]), false, "child", e -> { },
                l -> System.out.println("log: " + l));
        try {
            DownloadCache.Outcome o = cache.fetch(URI.create(args[0]), Path.of(args[1]), DownloadCache.Fetch.plain());
            System.out.println("outcome: " + o);
            System.exit(0);
        } catch (BuildException e) {
            System.out.println("error: " + e.getMessage());
            System.exit(e.exitStatus());
        }
    }
}

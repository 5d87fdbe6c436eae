// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.cache;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import dib.core.build.BuildException;
import dib.core.cache.DownloadCache;
import dib.core.cache.DownloadCache.Fetch;
import dib.core.cache.DownloadCache.Outcome;
import dib.core.hook.HookCall;
import dib.core.hook.HookCommand;

/**
 * {@code cache-url [-f] URL DEST}: upstream's helper, through the build's
 * {@link DownloadCache}. Hooks reach it with the {@code cache-url} element's
 * {@code bin/cache-url}, which calls {@code dib-call cache-url "$@"}.
 *
 * <p>Exit status 0 when {@code DEST} holds the current copy, {@value DownloadCache#NOT_FOUND_STATUS}
 * when the server answered 404, 1 for any other failure or a usage error, 0 for {@code -h}.
 * Messages are upstream's ("Downloaded and cached URL for the first time", "Server copy has
 * not changed. Using locally cached URL", ...).
 */
@Component(service = HookCommand.class, property = HookCommand.NAME + "=cache-url")
public final class CacheUrlCommand implements HookCommand {

    @Override
    public int run(HookCall call) {
        boolean force = false;
        List<String> words = new ArrayList<>();
        boolean options = true;
        for (String a : call.arguments()) {
            if (options && a.equals("--")) {
                options = false;
            } else if (options && a.startsWith("-") && a.length() > 1) {
                for (char c : a.substring(1).toCharArray()) {
                    switch (c) {
                        case 'f':
                            force = true;
                            break;
                        case 'h':
                        case '?':
                            usage(call.out());
                            return 0;
                        default:
                            call.err().println("cache-url: invalid option -- '" + c + "'");
                            usage(call.err());
                            return 1;
                    }
                }
            } else {
                words.add(a);
            }
        }
        if (words.size() != 2 || words.get(0).isEmpty() || words.get(1).isEmpty()) {
            usage(call.err());
            return 1;
        }
        URI url;
        try {
            url = new URI(words.get(0));
        } catch (java.net.URISyntaxException e) {
            call.err().println("cache-url: not a URL: " + words.get(0));
            return 1;
        }
        DownloadCache cache = call.build().cache();
        Path dest = call.resolve(words.get(1));
        // The cache directory is the same path in the build's namespace and on the host; any
        // other destination (inside the image tree, a build directory) goes through the sandbox.
        Path hostDest = dest.startsWith(cache.directory()) ? dest : call.build().sandbox().host(dest);
        Fetch fetch = new Fetch(force, null);
        try {
            if (cache instanceof HttpDownloadCache) {
                ((HttpDownloadCache) cache).fetch(url, hostDest, fetch, call.out()::println);
            } else {
                Outcome o = cache.fetch(url, hostDest, fetch);
                call.out().println(o == Outcome.DOWNLOADED ? "Downloaded and cached " + url
                        : "Server copy has not changed. Using locally cached " + url);
            }
            return 0;
        } catch (BuildException e) {
            call.err().println("cache-url: " + e.getMessage());
            return e.exitStatus();
        }
    }

    private static void usage(PrintStream out) {
        out.println("Usage: cache-url [options] <url> <destination_file>");
        out.println();
        out.println("Download a URL and cache it to a specified location.");
        out.println("Later requests send the cached file's modification time, so the file");
        out.println("is downloaded again only when the server copy has changed.");
        out.println();
        out.println("Options:");
        out.println("      -f          -- force upstream caches to fetch a new copy of the file");
        out.println("      -h          -- show this help");
    }
}

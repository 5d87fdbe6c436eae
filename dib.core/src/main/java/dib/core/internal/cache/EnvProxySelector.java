// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.cache;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Proxies from the environment, as curl (upstream's downloader) takes them:
 * {@code http_proxy} for http (lower case only, as curl: a CGI environment may carry a
 * request header as {@code HTTP_PROXY}), {@code https_proxy} or {@code HTTPS_PROXY} for
 * https, and
 * {@code no_proxy}: a comma-separated list of host names and domain suffixes
 * ({@code .example.com} or {@code example.com} also cover {@code www.example.com}), or
 * {@code *} for no proxy at all. Loopback addresses never go through a proxy.
 */
public final class EnvProxySelector extends ProxySelector {
    private final Map<String, String> env;

    /** @param env the variables, normally {@code System.getenv()} */
    public EnvProxySelector(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public List<Proxy> select(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        String spec = get(scheme + "_proxy");
        if (spec == null || bypass(host)) {
            return List.of(Proxy.NO_PROXY);
        }
        URI p = URI.create(spec.contains("://") ? spec : "http://" + spec);
        if (p.getHost() == null) {
            return List.of(Proxy.NO_PROXY);
        }
        int port = p.getPort() > 0 ? p.getPort() : 1080;
        return List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(p.getHost(), port)));
    }

    private boolean bypass(String host) {
        if (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1")) {
            return true;
        }
        String no = get("no_proxy");
        if (no == null) {
            return false;
        }
        for (String entry : no.split(",")) {
            String e = entry.strip().toLowerCase(Locale.ROOT);
            if (e.equals("*")) {
                return true;
            }
            if (e.startsWith(".")) {
                e = e.substring(1);
            }
            if (!e.isEmpty() && (host.equals(e) || host.endsWith("." + e))) {
                return true;
            }
        }
        return false;
    }

    private String get(String name) {
        String v = env.get(name);
        if ((v == null || v.isBlank()) && !name.equals("http_proxy")) {
            v = env.get(name.toUpperCase(Locale.ROOT));
        }
        return v == null || v.isBlank() ? null : v.strip();
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        // reported by the failing request itself
    }
}

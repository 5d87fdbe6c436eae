// SPDX-License-Identifier: Apache-2.0
package dib.core.test.cache;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Proxy;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dib.core.internal.cache.EnvProxySelector;
import dib.core.internal.cache.HttpDownloadCache;

/** Proxies from http_proxy, https_proxy and no_proxy, as curl takes them. */
class EnvProxySelectorTest {

    static String pick(Map<String, String> env, String url) {
        List<Proxy> p = new EnvProxySelector(env).select(URI.create(url));
        return p.get(0) == Proxy.NO_PROXY ? "direct" : p.get(0).address().toString();
    }

    @Test
    void schemesHostsAndExceptions() {
        Map<String, String> env = Map.of("http_proxy", "http://proxy.lan:3128/", "HTTPS_PROXY", "tls.lan:8443",
                "no_proxy", "mirror.lan, .internal.example,*.wild");
        assertEquals("proxy.lan/<unresolved>:3128", pick(env, "http://cloud-images.ubuntu.com/x"));
        assertEquals("tls.lan/<unresolved>:8443", pick(env, "https://download.fedoraproject.org/x"));
        assertEquals("direct", pick(env, "http://mirror.lan/x"));
        assertEquals("direct", pick(env, "http://a.mirror.lan/x"));
        assertEquals("direct", pick(env, "http://repo.internal.example/x"));
        assertEquals("proxy.lan/<unresolved>:3128", pick(env, "http://notmirror.lan/x"));
        assertEquals("direct", pick(env, "http://127.0.0.1:8080/x"));
        assertEquals("direct", pick(env, "http://localhost/x"));
        assertEquals("direct", pick(Map.of("HTTP_PROXY", "http://p:1"), "http://example.com/"),
                "upper-case HTTP_PROXY is ignored, as curl does");
        assertEquals("direct", pick(Map.of("http_proxy", "http://p:1", "no_proxy", "*"), "http://example.com/"));
        assertEquals("direct", pick(Map.of(), "http://example.com/"));
    }

    @Test
    void requestsGoThroughTheProxy() throws Exception {
        try (TestServer proxy = new TestServer()) {
            proxy.put("/pub/file", "via proxy".getBytes(UTF_8), Instant.parse("2024-01-01T00:00:00Z"));
            String addr = proxy.url("").getAuthority();
            var client = HttpDownloadCache.client(new EnvProxySelector(Map.of("http_proxy", "http://" + addr)));
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://mirror.invalid/pub/file"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("via proxy", r.body());
            assertEquals("mirror.invalid", proxy.requests.get(0).header("Host"));
        }
    }
}

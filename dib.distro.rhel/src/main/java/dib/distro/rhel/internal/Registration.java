// SPDX-License-Identifier: Apache-2.0
package dib.distro.rhel.internal;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dib.core.build.BuildException;
import dib.core.sandbox.Exec;
import dib.core.sandbox.ExecResult;
import dib.core.sandbox.Sandbox;
import dib.core.sandbox.SandboxException;

/**
 * RHEL subscription settings from upstream's variables ({@code REG_*} of rhel-common, and the
 * older {@code DIB_RHSM_*} / {@code DIB_SAT_*}), written into the image instead of registering
 * while building: a cloud-init {@code rh_subscription} configuration (mode 0600) registers the
 * instance at its first boot, and {@code /etc/rhsm/rhsm.conf} gets the server and content URL
 * of a Satellite or a custom server. Nothing contacts Red Hat during the build.
 */
final class Registration {
    /** Where the first-boot registration goes, inside the image. */
    static final String CLOUD_CONFIG = "/etc/cloud/cloud.cfg.d/50-dib-rh-subscription.cfg";
    static final String RHSM_CONF = "/etc/rhsm/rhsm.conf";

    enum Method {
        NONE, PORTAL, SATELLITE
    }

    final Method method;
    final String user;
    final String password;
    final String activationKey;
    final String org;
    final String pool;
    final List<String> repos;
    final boolean autoAttach;
    final String serviceLevel;
    final String serverUrl;
    final String baseUrl;
    /** set variables cloud-init's rh_subscription cannot express */
    final List<String> ignored = new ArrayList<>();

    private Registration(Method method, Map<String, String> v) {
        this.method = method;
        this.user = v.get("user");
        this.password = v.get("password");
        this.activationKey = v.get("key");
        this.org = v.get("org");
        this.pool = v.get("pool");
        this.repos = v.get("repos") == null ? List.of() : Arrays.asList(v.get("repos").split("[,\\s]+"));
        this.autoAttach = v.get("autoAttach") != null;
        this.serviceLevel = v.get("serviceLevel");
        this.serverUrl = v.get("server");
        this.baseUrl = v.get("baseUrl");
    }

    /**
     * @param env the root.d hook's environment
     * @return the settings, checked
     * @throws BuildException naming the variable that is wrong or missing
     */
    static Registration from(Map<String, String> env) throws BuildException {
        if ("rhn".equals(get(env, "DIB_REG_TYPE"))) {
            throw new BuildException("DIB_REG_TYPE=rhn: RHN Classic no longer exists; use REG_METHOD=portal or"
                    + " REG_METHOD=satellite");
        }
        String m = get(env, "REG_METHOD");
        Map<String, String> v = new java.util.HashMap<>();
        Method method;
        if (m != null) {
            switch (m) {
                case "portal":
                    method = Method.PORTAL;
                    break;
                case "satellite":
                    method = Method.SATELLITE;
                    break;
                case "disable":
                    method = Method.NONE;
                    break;
                default:
                    throw new BuildException("REG_METHOD '" + m + "' is not one of portal, satellite, disable");
            }
            put(v, "user", get(env, "REG_USER"));
            put(v, "password", get(env, "REG_PASSWORD"));
            put(v, "key", get(env, "REG_ACTIVATION_KEY"));
            put(v, "org", get(env, "REG_ORG"));
            put(v, "pool", get(env, "REG_POOL_ID"));
            put(v, "repos", get(env, "REG_REPOS"));
            put(v, "autoAttach", get(env, "REG_AUTO_ATTACH"));
            put(v, "serviceLevel", get(env, "REG_SERVICE_LEVEL"));
            put(v, "server", method == Method.SATELLITE ? get(env, "REG_SAT_URL") : get(env, "REG_SERVER_URL"));
            put(v, "baseUrl", get(env, "REG_BASE_URL"));
            if (method == Method.SATELLITE && v.get("server") == null) {
                throw new BuildException("REG_METHOD=satellite needs REG_SAT_URL (the Satellite server's URL)");
            }
        } else if (get(env, "DIB_RHSM_USER") != null || get(env, "DIB_RHSM_PASSWORD") != null) {
            if (get(env, "DIB_RHSM_USER") == null || get(env, "DIB_RHSM_PASSWORD") == null) {
                throw new BuildException("DIB_RHSM_USER and DIB_RHSM_PASSWORD go together: set both or neither");
            }
            method = get(env, "DIB_SAT_URL") != null ? Method.SATELLITE : Method.PORTAL;
            put(v, "user", get(env, "DIB_RHSM_USER"));
            put(v, "password", get(env, "DIB_RHSM_PASSWORD"));
            put(v, "key", get(env, "DIB_SAT_KEY"));
            put(v, "org", get(env, "DIB_RHSM_ORG"));
            put(v, "pool", get(env, "DIB_RHSM_POOL"));
            put(v, "repos", get(env, "DIB_RHSM_REPOS"));
            put(v, "server", get(env, "DIB_SAT_URL"));
            if (v.get("pool") == null) {
                put(v, "autoAttach", "1"); // upstream attached automatically without a pool
            }
        } else {
            return new Registration(Method.NONE, v);
        }
        if (method != Method.NONE && !(v.get("key") != null && v.get("org") != null)
                && !(v.get("user") != null && v.get("password") != null)) {
            throw new BuildException("REG_METHOD=" + method.name().toLowerCase(java.util.Locale.ROOT)
                    + " needs REG_ACTIVATION_KEY and REG_ORG, or REG_USER and REG_PASSWORD");
        }
        Registration r = new Registration(method, v);
        for (String k : List.of("REG_ENVIRONMENT", "REG_RELEASE", "REG_SAT_CERT", "REG_MACHINE_NAME", "REG_TYPE",
                "REG_FORCE", "DIB_SAT_CERT_RPM_URL", "DIB_RHN_CHANNELS")) {
            if (get(env, k) != null) {
                r.ignored.add(k);
            }
        }
        if (v.get("server") != null) {
            checkUrl(v.get("server"), method == Method.SATELLITE ? "REG_SAT_URL" : "REG_SERVER_URL");
        }
        if (v.get("baseUrl") != null) {
            checkUrl(v.get("baseUrl"), "REG_BASE_URL");
        }
        return r;
    }

    private static void checkUrl(String url, String var) throws BuildException {
        try {
            URI u = URI.create(url.contains("://") ? url : "https://" + url);
            if (u.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
        } catch (IllegalArgumentException e) {
            throw new BuildException(var + " '" + url + "' is not a URL");
        }
    }

    private static String get(Map<String, String> env, String key) {
        String v = env.get(key);
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static void put(Map<String, String> v, String key, String value) {
        if (value != null) {
            v.put(key, value);
        }
    }

    /** @return the host of the server URL */
    String serverHost() {
        return URI.create(serverUrl.contains("://") ? serverUrl : "https://" + serverUrl).getHost();
    }

    /** @return the content URL: REG_BASE_URL, or the Satellite's own */
    String contentUrl() {
        if (baseUrl != null) {
            return baseUrl;
        }
        return method == Method.SATELLITE ? "https://" + serverHost() + "/pulp/content" : null;
    }

    /** @return the cloud-init {@code rh_subscription} configuration */
    String cloudConfig() {
        StringBuilder b = new StringBuilder();
        b.append("# Written by dib (rhel element): register with Red Hat Subscription Management at first boot.\n");
        b.append("rh_subscription:\n");
        if (activationKey != null) {
            line(b, "activation-key", activationKey);
            line(b, "org", org);
        } else {
            line(b, "username", user);
            line(b, "password", password);
            if (org != null) {
                line(b, "org", org);
            }
        }
        if (autoAttach) {
            b.append("  auto-attach: true\n");
        }
        if (serviceLevel != null) {
            line(b, "service-level", serviceLevel);
        }
        if (pool != null) {
            b.append("  add-pool: [").append(quote(pool)).append("]\n");
        }
        if (!repos.isEmpty()) {
            List<String> q = new ArrayList<>();
            for (String r : repos) {
                q.add(quote(r));
            }
            b.append("  enable-repo: [").append(String.join(", ", q)).append("]\n");
        }
        if (serverUrl != null) {
            line(b, "server-hostname", serverHost());
        }
        if (contentUrl() != null) {
            line(b, "rhsm-baseurl", contentUrl());
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String key, String value) {
        b.append("  ").append(key).append(": ").append(quote(value)).append('\n');
    }

    /** A YAML single-quoted scalar. */
    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /**
     * Writes the settings into the tree at {@code target} (a namespace path). Files are
     * written from inside a chroot of the tree, so that links in the image cannot send them
     * elsewhere.
     */
    void write(Sandbox sandbox, Path target, Consumer<String> log) throws BuildException {
        if (method == Method.NONE) {
            return;
        }
        if (!ignored.isEmpty()) {
            log.accept("WARNING: ignoring " + String.join(", ", ignored) + ": cloud-init's rh_subscription has no such"
                    + " setting");
        }
        writeFile(sandbox, target, CLOUD_CONFIG, cloudConfig(), true);
        log.accept("Registration (" + method.name().toLowerCase(java.util.Locale.ROOT) + ") written to " + CLOUD_CONFIG
                + " (mode 0600, it holds credentials); the instance registers at first boot");
        if (serverUrl != null || contentUrl() != null) {
            String conf = readFile(sandbox, target, RHSM_CONF);
            if (conf != null) {
                if (serverUrl != null) {
                    conf = setIni(conf, "server", "hostname", serverHost());
                }
                if (contentUrl() != null) {
                    conf = setIni(conf, "rhsm", "baseurl", contentUrl());
                }
                writeFile(sandbox, target, RHSM_CONF, conf, false);
                log.accept(RHSM_CONF + ": server " + (serverUrl != null ? serverHost() : "unchanged") + ", content "
                        + (contentUrl() != null ? contentUrl() : "unchanged"));
            }
        }
    }

    /** Sets {@code key = value} in {@code [section]} of an INI text, adding what is missing. */
    static String setIni(String text, String section, String key, String value) {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        String current = null;
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.startsWith("[") && l.endsWith("]")) {
                if (header >= 0) {
                    break; // the section ended without the key
                }
                current = l.substring(1, l.length() - 1).strip();
                if (current.equals(section)) {
                    header = i;
                }
            } else if (section.equals(current) && l.matches(java.util.regex.Pattern.quote(key) + "\\s*[=:].*")) {
                lines.set(i, key + " = " + value);
                return String.join("\n", lines);
            }
        }
        if (header >= 0) {
            lines.add(header + 1, key + " = " + value);
            return String.join("\n", lines);
        }
        return text + (text.endsWith("\n") || text.isEmpty() ? "" : "\n") + "[" + section + "]\n" + key + " = " + value
                + "\n";
    }

    private static String readFile(Sandbox sb, Path target, String path) throws BuildException {
        try {
            ExecResult r = sb.run(Exec.of("chroot", target.toString(), "/bin/sh", "-c",
                    "if [ -f \"$1\" ]; then cat \"$1\"; else exit 3; fi", "sh", path).capture().quiet());
            if (r.exitStatus() == 3) {
                return null;
            }
            if (!r.ok()) {
                throw new BuildException("cannot read " + path + " in " + target + ": " + String.join(" | ", r.tail()));
            }
            return r.stdout();
        } catch (java.io.IOException e) {
            throw new BuildException("cannot read " + path + " in " + target + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("interrupted while reading " + path, e);
        }
    }

    private static void writeFile(Sandbox sb, Path target, String path, String content, boolean secret)
            throws BuildException {
        try {
            sb.check(Exec.of("chroot", target.toString(), "/bin/sh", "-c",
                    "mkdir -p \"$(dirname \"$1\")\" && " + (secret ? "rm -f \"$1\" && (umask 077 && cat > \"$1\")"
                            : "cat > \"$1\""), "sh", path)
                    .input(content.getBytes(StandardCharsets.UTF_8)).quiet().label("writing " + path));
        } catch (SandboxException e) {
            throw new BuildException("cannot write " + path + " in " + target + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("interrupted while writing " + path, e);
        }
    }
}

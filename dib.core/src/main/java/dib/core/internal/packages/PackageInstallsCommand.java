// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.packages;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import dib.core.distro.Distribution;
import dib.core.element.Element;
import dib.core.hook.HookCall;
import dib.core.hook.HookCommand;
import dib.core.internal.io.FileTrees;
import dib.core.util.Json;

/**
 * The package-installs element's work, in Java so that images need no Python:
 * <ul>
 * <li>{@code package-installs squash FILE} (extra-data, outside the chroot): squashes every
 * element's {@code package-installs.json}/{@code .yaml} ({@link PackageInstalls}) into
 * FILE, normally {@code $TMP_MOUNT_PATH/tmp/package-installs.json}.</li>
 * <li>{@code package-installs list --phase PHASE [--uninstall] [--dir DIR] FILE} (inside
 * the chroot): the packages to install (or remove) in PHASE, each element's names mapped
 * through its pkg-map ({@code --missing-ok}), plus the deprecated
 * {@code package-installs-<element>} files in DIR; one line per package,
 * "PACKAGE ELEMENT[,ELEMENT...]", first request first, no duplicates.</li>
 * </ul>
 * Errors are one line naming the element, file and package; exit status 1.
 */
@Component(service = HookCommand.class, property = HookCommand.NAME + "=package-installs")
public final class PackageInstallsCommand implements HookCommand {
    private final List<Distribution> distros = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addDistribution(Distribution d) {
        distros.add(d);
    }

    void removeDistribution(Distribution d) {
        distros.remove(d);
    }

    @Override
    public int run(HookCall call) throws IOException {
        List<String> args = call.arguments();
        try {
            if (!args.isEmpty() && args.get(0).equals("squash") && args.size() == 2) {
                return squash(call, args.get(1));
            }
            if (!args.isEmpty() && args.get(0).equals("list")) {
                return list(call, args.subList(1, args.size()));
            }
        } catch (PackageException e) {
            call.err().println("package-installs: " + e.getMessage());
            return 1;
        }
        call.err().println("usage: package-installs squash FILE | package-installs list --phase PHASE [--uninstall]"
                + " [--dir DIR] FILE");
        return 1;
    }

    private int squash(HookCall call, String outFile) throws PackageException, IOException {
        PackageInstalls squash = new PackageInstalls(call.environment());
        List<String> read = new ArrayList<>();
        for (Element e : call.build().elements().elements()) {
            for (Path f : squash.addElement(e.name(), e.path())) {
                read.add(e.name() + "/" + f.getFileName());
            }
        }
        FileTrees.replace(call.build().sandbox().host(call.resolve(outFile)), Json.pretty(squash.result()) + "\n");
        call.out().println("package-installs: squashed " + (read.isEmpty() ? "no files" : String.join(", ", read))
                + " into " + outFile);
        return 0;
    }

    private int list(HookCall call, List<String> args) throws PackageException, IOException {
        String phase = null;
        boolean uninstall = false;
        String dir = null;
        String file = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--phase") && i + 1 < args.size()) {
                phase = args.get(++i);
            } else if (a.equals("--dir") && i + 1 < args.size()) {
                dir = args.get(++i);
            } else if (a.equals("--uninstall")) {
                uninstall = true;
            } else if (!a.startsWith("-") && file == null) {
                file = a;
            } else {
                throw new PackageException("list: unexpected argument '" + a + "'");
            }
        }
        if (phase == null || file == null) {
            throw new PackageException("list needs --phase PHASE and the squashed FILE");
        }
        List<PackageInstalls.Request> requests = new ArrayList<>();
        Path squashed = call.build().sandbox().host(call.resolve(file));
        if (Files.isRegularFile(squashed)) {
            requests.addAll(PackageInstalls.requests(Documents.parse(Files.readString(squashed), file), phase,
                    uninstall, file));
        } else {
            throw new PackageException(file + " is missing: the package-installs element's extra-data hook writes it");
        }
        if (dir != null) {
            requests.addAll(legacy(call, dir, uninstall));
        }
        // one pkg-map call per element, as upstream; first request first
        Map<String, List<String>> byElement = new LinkedHashMap<>();
        for (PackageInstalls.Request r : requests) {
            byElement.computeIfAbsent(r.element(), k -> new ArrayList<>()).add(r.pkg());
        }
        Map<String, List<String>> who = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : byElement.entrySet()) {
            for (String p : MapFiles.mapMissingOk(call, e.getKey(), e.getValue(), distros)) {
                List<String> els = who.computeIfAbsent(p, k -> new ArrayList<>());
                if (!els.contains(e.getKey())) {
                    els.add(e.getKey());
                }
            }
        }
        for (Map.Entry<String, List<String>> e : who.entrySet()) {
            call.out().println(e.getKey() + " " + String.join(",", e.getValue()));
        }
        return 0;
    }

    /**
     * Upstream's deprecated {@code package-installs-<element>} files in a phase directory:
     * one package per line, '#' comments; a leading '-' means "remove at the end of the phase".
     */
    private static List<PackageInstalls.Request> legacy(HookCall call, String dir, boolean uninstall)
            throws IOException {
        List<PackageInstalls.Request> out = new ArrayList<>();
        Path d = call.build().sandbox().host(call.resolve(dir));
        if (!Files.isDirectory(d)) {
            return out;
        }
        Map<String, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(d, "package-installs-*")) {
            for (Path p : s) {
                if (Files.isRegularFile(p)) {
                    files.put(p.getFileName().toString(), p);
                }
            }
        }
        for (Map.Entry<String, Path> f : files.entrySet()) {
            String element = f.getKey().substring("package-installs-".length());
            for (String line : Files.readAllLines(f.getValue())) {
                String s = line.strip();
                if (s.isEmpty() || s.startsWith("#")) {
                    continue;
                }
                boolean remove = s.startsWith("-");
                if (remove == uninstall) {
                    out.add(new PackageInstalls.Request(remove ? s.substring(1).strip() : s, element));
                }
            }
        }
        return out;
    }
}

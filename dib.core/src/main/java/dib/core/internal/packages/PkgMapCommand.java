// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.packages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import dib.core.distro.Distribution;
import dib.core.hook.HookCall;
import dib.core.hook.HookCommand;

/**
 * {@code pkg-map [--element E | --pkg-map FILE] [--distro D] [--release R] [--missing-ok]
 * [--prefix P] [--debug] NAME...}: upstream's {@code pkg-map}, reached from the image
 * through the pkg-map element's {@code /usr/local/bin/pkg-map} wrapper. Prints one mapped
 * package per line (with the prefix). Exit status 0; 1 for an unmapped name (without
 * {@code --missing-ok}), an unreadable map or bad usage; 2 when the element has no map
 * (without {@code --missing-ok}, which then passes every name through).
 */
@Component(service = HookCommand.class, property = HookCommand.NAME + "=pkg-map")
public final class PkgMapCommand implements HookCommand {
    private final List<Distribution> distros = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addDistribution(Distribution d) {
        distros.add(d);
    }

    void removeDistribution(Distribution d) {
        distros.remove(d);
    }

    @Override
    public int run(HookCall call) {
        String element = "";
        String mapFile = "";
        String distro = call.environment().get("DISTRO_NAME");
        String release = call.environment().get("DIB_RELEASE");
        boolean missingOk = false;
        boolean debug = false;
        String prefix = "";
        List<String> names = new ArrayList<>();
        List<String> args = call.arguments();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String key = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                key = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (key) {
                case "-h", "--help" -> {
                    usage(call);
                    return 0;
                }
                case "--missing-ok" -> missingOk = true;
                case "--debug" -> debug = true;
                case "--element", "--pkg-map", "--distro", "--release", "--prefix" -> {
                    if (value == null) {
                        if (i + 1 >= args.size()) {
                            call.err().println("pkg-map: " + key + " expects a value");
                            return 1;
                        }
                        value = args.get(++i);
                    }
                    switch (key) {
                        case "--element" -> element = value;
                        case "--pkg-map" -> mapFile = value;
                        case "--distro" -> distro = value;
                        case "--release" -> release = value;
                        default -> prefix = value;
                    }
                }
                default -> names.add(a);
            }
        }
        if (element.isEmpty() && mapFile.isEmpty()) {
            call.err().println("pkg-map: please specify an --element argument");
            return 1;
        }
        if (!element.isEmpty() && !mapFile.isEmpty()) {
            call.err().println("pkg-map: specify either --element or --pkg-map");
            return 1;
        }
        if (distro == null || distro.isEmpty()) {
            call.err().println("pkg-map: please specify a --distro argument or set DISTRO_NAME");
            return 1;
        }
        String source;
        Path file;
        try {
            if (!mapFile.isEmpty()) {
                source = "pkg-map " + mapFile;
                file = call.build().sandbox().host(call.resolve(mapFile));
                if (!Files.isRegularFile(file)) {
                    file = null;
                }
            } else {
                source = "pkg-map of element '" + element + "'";
                file = MapFiles.find(call, element);
            }
            if (file == null) {
                if (missingOk) {
                    print(call, prefix, names);
                    return 0;
                }
                call.err().println("pkg-map: element '" + element + "' has no pkg-map"
                        + (mapFile.isEmpty() ? "" : " (" + mapFile + " does not exist)"));
                return 2;
            }
            String family = Families.of(distro, distros);
            PkgMap map = PkgMap.read(file, source, distro, family, release);
            if (debug) {
                call.err().println("pkg-map: " + source + " for distro " + distro + " (family " + family
                        + "), release " + release + ": " + map.effective());
            }
            print(call, prefix, map.map(names, missingOk));
            return 0;
        } catch (PackageException e) {
            call.err().println("pkg-map: " + e.getMessage());
            return 1;
        }
    }

    private static void print(HookCall call, String prefix, List<String> pkgs) {
        for (String p : pkgs) {
            call.out().println(prefix + p);
        }
    }

    private static void usage(HookCall call) {
        call.out().println("usage: pkg-map [--element ELEMENT | --pkg-map FILE] [--distro DISTRO] [--release RELEASE]"
                + " [--missing-ok] [--prefix PREFIX] [--debug] NAME...");
        call.out().println("Translate generic package names to the distribution's. Exit status 1 on an error or an"
                + " unmapped name, 2 when the element has no pkg-map.");
    }
}

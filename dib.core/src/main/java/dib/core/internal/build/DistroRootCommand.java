// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.build;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dib.core.build.BuildException;
import dib.core.distro.Distribution;
import dib.core.hook.HookCall;
import dib.core.hook.HookCommand;

/**
 * {@code dib-call distro-root NAME}: the operating-system element's root.d hook asks the
 * {@link Distribution} service of that name to produce the base tree.
 */
@Component(property = HookCommand.NAME + "=distro-root")
public final class DistroRootCommand implements HookCommand {
    private final Map<String, Distribution> distros = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void addDistribution(Distribution d, Map<String, Object> props) {
        distros.put(String.valueOf(props.getOrDefault(Distribution.NAME, d.name())), d);
    }

    public void removeDistribution(Distribution d, Map<String, Object> props) {
        distros.remove(String.valueOf(props.getOrDefault(Distribution.NAME, d.name())), d);
    }

    @Override
    public int run(HookCall call) throws Exception {
        List<String> args = call.arguments();
        if (args.isEmpty()) {
            call.err().println("usage: dib-call distro-root NAME");
            return 2;
        }
        Distribution d = distros.get(args.get(0));
        if (d == null) {
            throw new BuildException("no distribution service named '" + args.get(0) + "' is installed (installed: "
                    + String.join(", ", new TreeMap<>(distros).keySet()) + ")");
        }
        d.createRoot(call);
        return 0;
    }
}

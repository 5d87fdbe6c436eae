// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import dib.core.util.Json;

/**
 * {@code help [COMMAND]}: dib's commands with one line each, or one command's help. The
 * shell searches scope {@code dib} first, so plain {@code help} lands here; the framework's
 * own help (bundles, services, SCR) stays available as {@code felix:help}, and
 * {@code help NAME} for a command that is not dib's is passed on to it.
 */
@Component(service = Function.class, property = { DibCommand.SCOPE, "osgi.command.function=help" })
public final class HelpCommand extends DibCommand {
    private final BundleContext context;

    @Activate
    public HelpCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    protected String name() {
        return "help";
    }

    @Override
    protected String summary() {
        return "this list, or one command's help";
    }

    @Override
    protected String usage() {
        return "[--json] [COMMAND]";
    }

    @Override
    protected String help() {
        return """
                Lists dib's commands, or shows the help of COMMAND (the same as 'COMMAND -h'). The
                framework's commands (lb, start, stop, scr:list, ...) are listed by 'felix:help'.

                  --json   print [{names, summary, usage}] as JSON
                """;
    }

    @Override
    protected Object run(CommandSession session, List<String> args) throws Exception {
        Getopt.Result r = new Getopt("help", "", "json").parse(args);
        PrintStream out = out();
        if (r.has("json")) {
            List<Map<String, Object>> rows = new ArrayList<>();
            byCommand(context).forEach((c, names) -> {
                if (r.operands().isEmpty() || names.containsAll(r.operands())) {
                    Map<String, Object> m = new java.util.LinkedHashMap<>();
                    m.put("names", names);
                    m.put("summary", c.summary());
                    m.put("usage", c.name() + " " + c.usage());
                    rows.add(m);
                }
            });
            out.println(Json.pretty(rows));
            out.flush();
            return null;
        }
        if (r.operands().isEmpty()) {
            out.print(list(context));
            out.println();
            out.println("'COMMAND -h' shows a command's options. Framework commands: felix:help.");
            out.flush();
            return null;
        }
        String name = r.operands().get(0);
        DibCommand c = commands(context).get(name.startsWith("dib:") ? name.substring(4) : name);
        if (c == null) {
            return session.execute("felix:help " + name.replaceAll("[^\\w:.-]", ""));
        }
        c.execute(session, List.of("-h"));
        return null;
    }

    /** @return dib's commands by every name they are registered under */
    static Map<String, DibCommand> commands(BundleContext context) {
        Map<String, DibCommand> out = new TreeMap<>();
        try {
            for (ServiceReference<Function> ref : context.getServiceReferences(Function.class,
                    "(osgi.command.scope=dib)")) {
                Function f = context.getService(ref);
                if (f instanceof DibCommand d) {
                    for (String n : names(ref)) {
                        out.put(n, d);
                    }
                }
                context.ungetService(ref);
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static List<String> names(ServiceReference<?> ref) {
        Object v = ref.getProperty("osgi.command.function");
        List<String> names = new ArrayList<>();
        if (v instanceof String[] a) {
            names.addAll(List.of(a));
        } else if (v != null) {
            names.add(v.toString());
        }
        return names;
    }

    /** @return each command with its names, the short name first (create before disk-image-create), by name */
    static Map<DibCommand, List<String>> byCommand(BundleContext context) {
        Map<DibCommand, List<String>> byCommand = new java.util.LinkedHashMap<>();
        commands(context).forEach((n, c) -> byCommand.computeIfAbsent(c, k -> new ArrayList<>()).add(n));
        byCommand.values().forEach(names -> names.sort((a, b) -> a.length() != b.length()
                ? Integer.compare(a.length(), b.length()) : a.compareTo(b)));
        Map<DibCommand, List<String>> sorted = new java.util.LinkedHashMap<>();
        byCommand.entrySet().stream().sorted(java.util.Map.Entry.comparingByValue(
                java.util.Comparator.comparing((List<String> l) -> l.get(0))))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** @return the command list: each command's names and its summary, one line each */
    static String list(BundleContext context) {
        Map<DibCommand, List<String>> byCommand = byCommand(context);
        Map<String, String> lines = new TreeMap<>();
        byCommand.forEach((c, names) -> lines.put(names.get(0), String.join(", ", names)));
        int w = lines.values().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder b = new StringBuilder("dib commands:\n");
        lines.forEach((k, names) -> b.append(String.format("  %-" + w + "s  %s%n", names,
                byCommand.entrySet().stream().filter(e -> e.getValue().contains(k)).findFirst().orElseThrow()
                        .getKey().summary())));
        return b.toString();
    }
}

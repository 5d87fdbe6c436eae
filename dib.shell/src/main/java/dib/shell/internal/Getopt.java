// SPDX-License-Identifier: Apache-2.0
package dib.shell.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line parsing with GNU getopt's rules, which upstream's scripts use: options and
 * operands may be mixed (operands are collected in order), {@code --} ends the options,
 * short options cluster ({@code -xu}, {@code -ofoo}), a long option takes its argument as
 * {@code --name=value} or as the next word, and a long option may be abbreviated to any
 * unambiguous prefix.
 */
public final class Getopt {
    /** One parsed option: its canonical name (one letter, or the full long name) and value. */
    public record Option(String name, String value) {
    }

    /** The result of parsing. */
    public record Result(List<Option> options, List<String> operands) {
        public boolean has(String name) {
            return options.stream().anyMatch(o -> o.name.equals(name));
        }

        /** @return the last value given for {@code name}, or null */
        public String last(String name) {
            String v = null;
            for (Option o : options) {
                if (o.name.equals(name)) {
                    v = o.value;
                }
            }
            return v;
        }

        /** @return every value given for {@code name}, in order */
        public List<String> all(String name) {
            List<String> out = new ArrayList<>();
            for (Option o : options) {
                if (o.name.equals(name)) {
                    out.add(o.value);
                }
            }
            return out;
        }

        /** @return how many times {@code name} was given */
        public int count(String name) {
            return (int) options.stream().filter(o -> o.name.equals(name)).count();
        }
    }

    private final String program;
    private final Map<Character, Boolean> shorts = new LinkedHashMap<>();
    private final Map<String, Boolean> longs = new LinkedHashMap<>();
    private final Map<String, String> aliases = new LinkedHashMap<>();

    /**
     * @param program   the name used in error messages
     * @param shortSpec getopt short spec, for example {@code "a:ho:"}: a letter followed by
     *                  a colon takes an argument
     * @param longSpec  long option names, a trailing colon meaning it takes an argument
     */
    public Getopt(String program, String shortSpec, String... longSpec) {
        this.program = program;
        for (int i = 0; i < shortSpec.length(); i++) {
            char c = shortSpec.charAt(i);
            boolean arg = i + 1 < shortSpec.length() && shortSpec.charAt(i + 1) == ':';
            shorts.put(c, arg);
            if (arg) {
                i++;
            }
        }
        for (String l : longSpec) {
            boolean arg = l.endsWith(":");
            longs.put(arg ? l.substring(0, l.length() - 1) : l, arg);
        }
    }

    /**
     * Makes a long option report under another name, for example {@code --expand-dependencies}
     * as {@code d}.
     */
    public Getopt alias(String longName, String as) {
        aliases.put(longName, as);
        return this;
    }

    /**
     * @param args the words after the command name
     * @return options and operands
     * @throws CommandFailure (status 2) for an unknown or ambiguous option or a missing argument
     */
    public Result parse(List<String> args) {
        List<Option> opts = new ArrayList<>();
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                operands.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (a.startsWith("--")) {
                String body = a.substring(2);
                String value = null;
                int eq = body.indexOf('=');
                if (eq >= 0) {
                    value = body.substring(eq + 1);
                    body = body.substring(0, eq);
                }
                String name = longName(body, a);
                boolean takes = longs.get(name);
                if (takes && value == null) {
                    if (i + 1 >= args.size()) {
                        throw CommandFailure.usage(program + ": option '--" + name + "' requires an argument");
                    }
                    value = args.get(++i);
                } else if (!takes && value != null) {
                    throw CommandFailure.usage(program + ": option '--" + name + "' doesn't allow an argument");
                }
                opts.add(new Option(aliases.getOrDefault(name, name), value));
            } else if (a.startsWith("-") && a.length() > 1) {
                for (int j = 1; j < a.length(); j++) {
                    char c = a.charAt(j);
                    Boolean takes = shorts.get(c);
                    if (takes == null) {
                        throw CommandFailure.usage(program + ": invalid option -- '" + c + "'");
                    }
                    if (takes) {
                        String value;
                        if (j + 1 < a.length()) {
                            value = a.substring(j + 1);
                        } else if (i + 1 < args.size()) {
                            value = args.get(++i);
                        } else {
                            throw CommandFailure.usage(program + ": option requires an argument -- '" + c + "'");
                        }
                        opts.add(new Option(String.valueOf(c), value));
                        break;
                    }
                    opts.add(new Option(String.valueOf(c), null));
                }
            } else {
                operands.add(a);
            }
        }
        return new Result(opts, operands);
    }

    private String longName(String body, String word) {
        if (longs.containsKey(body)) {
            return body;
        }
        List<String> matches = new ArrayList<>();
        for (String l : longs.keySet()) {
            if (l.startsWith(body)) {
                matches.add(l);
            }
        }
        if (matches.size() == 1 && !body.isEmpty()) {
            return matches.get(0);
        }
        if (matches.isEmpty() || body.isEmpty()) {
            throw CommandFailure.usage(program + ": unrecognized option '" + word + "'");
        }
        throw CommandFailure.usage(program + ": option '" + word + "' is ambiguous; possibilities: '--"
                + String.join("' '--", matches) + "'");
    }
}

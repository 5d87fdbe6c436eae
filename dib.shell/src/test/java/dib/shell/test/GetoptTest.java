// SPDX-License-Identifier: Apache-2.0
package dib.shell.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dib.shell.internal.CommandFailure;
import dib.shell.internal.Getopt;

/** Getopt against GNU getopt(1)'s behaviour and messages (checked with util-linux getopt). */
class GetoptTest {
    private final Getopt g = new Getopt("prog", "dex:o:", "expand-dependencies", "env", "out:", "json")
            .alias("expand-dependencies", "d").alias("env", "e");

    private Getopt.Result parse(String... args) {
        return g.parse(List.of(args));
    }

    private void fails(String message, String... args) {
        CommandFailure f = assertThrows(CommandFailure.class, () -> parse(args));
        assertEquals(2, f.status(), "usage errors exit 2, as getopt does");
        assertEquals(message, f.getMessage());
    }

    @Test
    void optionsAndOperandsMix() {
        Getopt.Result r = parse("a", "-d", "b", "--json", "c");
        assertEquals(List.of("a", "b", "c"), r.operands());
        assertTrue(r.has("d"));
        assertTrue(r.has("json"));
        assertFalse(r.has("e"));
    }

    @Test
    void doubleDashEndsOptions() {
        Getopt.Result r = parse("-d", "--", "-e", "--json", "x");
        assertEquals(List.of("-e", "--json", "x"), r.operands());
        assertFalse(r.has("e"));
    }

    @Test
    void singleDashIsAnOperand() {
        assertEquals(List.of("-"), parse("-").operands());
    }

    @Test
    void shortOptionsCluster() {
        Getopt.Result r = parse("-de");
        assertTrue(r.has("d") && r.has("e"));
        assertEquals(List.of(), r.operands());
    }

    @Test
    void shortOptionArgumentAttachedOrNext() {
        assertEquals("foo", parse("-xfoo").last("x"));
        assertEquals("foo", parse("-x", "foo").last("x"));
        Getopt.Result r = parse("-dxfoo", "bar");
        assertTrue(r.has("d"));
        assertEquals("foo", r.last("x"), "the rest of the cluster is the argument");
        assertEquals(List.of("bar"), r.operands());
        assertEquals("-d", parse("-x", "-d").last("x"), "the next word is taken even if it looks like an option");
    }

    @Test
    void longOptionArgumentWithEqualsOrNext() {
        assertEquals("a=b", parse("--out=a=b").last("out"));
        assertEquals("a", parse("--out", "a").last("out"));
        assertEquals("", parse("--out=").last("out"));
    }

    @Test
    void longOptionsMayBeAbbreviated() {
        assertTrue(parse("--exp").has("d"), "unique prefix, reported under its alias");
        assertTrue(parse("--en").has("e"));
        assertEquals("x", parse("--ou", "x").last("out"));
        assertTrue(parse("--json").has("json"));
    }

    @Test
    void repeatedOptions() {
        Getopt.Result r = parse("-o", "1", "--out=2", "-o3", "-d", "-d");
        assertEquals(List.of("1", "3"), r.all("o"));
        assertEquals(List.of("2"), r.all("out"), "a long option is its own option unless aliased");
        assertEquals("3", r.last("o"));
        assertEquals(2, r.count("d"));
        assertNull(r.last("nothing"));
    }

    @Test
    void errorsUseGetoptsMessages() {
        fails("prog: invalid option -- 'q'", "-q");
        fails("prog: invalid option -- 'q'", "-dq");
        fails("prog: unrecognized option '--nope'", "--nope");
        fails("prog: unrecognized option '--n=1'", "--n=1");
        fails("prog: option '--e=1' is ambiguous; possibilities: '--expand-dependencies' '--env'", "--e=1");
        fails("prog: option '--e' is ambiguous; possibilities: '--expand-dependencies' '--env'", "--e");
        fails("prog: option requires an argument -- 'o'", "-o");
        fails("prog: option '--out' requires an argument", "--ou");
        fails("prog: option '--json' doesn't allow an argument", "--js=1");
    }
}

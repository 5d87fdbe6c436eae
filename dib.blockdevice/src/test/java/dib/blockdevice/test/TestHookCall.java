// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dib.core.build.BuildContext;
import dib.core.hook.HookCall;

/** A hook's call of a hook command, as the engine's dib-call would make it (outside the chroot). */
public final class TestHookCall implements HookCall {
    private final BuildContext build;
    private final List<String> args;
    private final Map<String, String> env;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);

    public TestHookCall(BuildContext build, List<String> args, Map<String, String> env) {
        this.build = build;
        this.args = List.copyOf(args);
        this.env = Map.copyOf(env);
    }

    /** @return what the command printed */
    public String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public BuildContext build() {
        return build;
    }

    @Override
    public List<String> arguments() {
        return args;
    }

    @Override
    public Map<String, String> environment() {
        return env;
    }

    @Override
    public Path workingDirectory() {
        return Path.of("/");
    }

    @Override
    public Path resolve(String callerPath) {
        return Path.of("/").resolve(callerPath);
    }

    @Override
    public PrintStream out() {
        return print;
    }

    @Override
    public PrintStream err() {
        return print;
    }
}

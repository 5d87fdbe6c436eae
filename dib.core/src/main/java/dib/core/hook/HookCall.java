// SPDX-License-Identifier: Apache-2.0
package dib.core.hook;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

import dib.core.build.BuildContext;

/**
 * One call of a {@link HookCommand}.
 *
 * @since 1.0
 */
@ProviderType
public interface HookCall {
    /** @return the build the calling hook belongs to */
    BuildContext build();

    /** @return the words after the command name */
    List<String> arguments();

    /** @return the calling process's environment (what its hook exported) */
    Map<String, String> environment();

    /**
     * @return the caller's working directory, as a path in the build's namespace (a path
     *         inside the chroot is already translated to the namespace)
     */
    Path workingDirectory();

    /**
     * Translates a path the caller named (relative to its working directory, inside the
     * chroot when called from there) into a path in the build's namespace.
     */
    Path resolve(String callerPath);

    /** @return the caller's standard output */
    PrintStream out();

    /** @return the caller's standard error */
    PrintStream err();
}

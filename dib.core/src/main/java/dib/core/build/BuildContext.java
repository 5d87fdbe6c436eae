// SPDX-License-Identifier: Apache-2.0
package dib.core.build;

import java.nio.file.Path;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

import dib.core.cache.DownloadCache;
import dib.core.element.ElementSet;
import dib.core.sandbox.Sandbox;

/**
 * A running build as seen by plug-ins: block-device layers, output formats, hook commands
 * and distributions. Thread-safe.
 *
 * <p><b>Paths.</b> Every path here is a path as the build's processes see it (hooks, mkfs,
 * chroot). The build's mounts live in a private mount namespace, so the JVM must reach
 * these paths through {@link Sandbox#host(Path)}.
 *
 * @since 1.0
 */
@ProviderType
public interface BuildContext {
    /** @return the build id */
    String id();

    /** @return the request */
    BuildRequest request();

    /** @return the expanded elements */
    ElementSet elements();

    /** @return {@code ARCH} as upstream names it (amd64, arm64, ...) */
    String arch();

    /** @return {@code IMAGE_NAME}: the absolute output path prefix, without type suffix */
    Path imageName();

    /**
     * @return the environment hooks get now: the caller's variables, dib's own
     *         ({@code ARCH}, {@code TARGET_ROOT}, {@code TMP_HOOKS_PATH}, ...) and what
     *         plug-ins added with {@link #putEnvironment}
     */
    Map<String, String> environment();

    /**
     * Exports a variable to every later hook and plug-in of this build.
     *
     * @param key   the name
     * @param value the value; null removes it
     */
    void putEnvironment(String key, String value);

    /** @return {@code TMP_BUILD_DIR} */
    Path buildDir();

    /** @return {@code TMP_IMAGE_DIR}: where raw images are created */
    Path imageDir();

    /** @return {@code TMP_HOOKS_PATH}: the merged hooks of all elements */
    Path hooksDir();

    /** @return {@code TMP_BUILD_DIR/mnt}: the tree being built, later the final file systems' mount base */
    Path mountBase();

    /** @return the build's namespaces: run commands there, translate paths */
    Sandbox sandbox();

    /** @return the download cache of this build ({@code --image-cache}, offline mode) */
    DownloadCache cache();

    /** @return true with {@code --offline} or {@code DIB_OFFLINE} set */
    boolean offline();

    /** @param line one line for the build log (timestamped, also sent as a LOG event) */
    void log(String line);

    /** @param event an event to publish to the build's listeners (DOWNLOAD progress, ...) */
    void event(BuildEvent event);

    /**
     * @throws BuildException if the build has been cancelled; long-running plug-in work
     *                        calls this between steps
     */
    void checkCancelled() throws BuildException;
}

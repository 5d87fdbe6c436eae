// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice;

import java.nio.file.Path;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import dib.core.build.BuildContext;
import dib.core.build.BuildException;
import dib.core.sandbox.Sandbox;

/**
 * What nodes see while the layer creates, and later unmounts, a build's image: the tree,
 * the sandbox to run commands in, and the state nodes hand to each other (regions, file
 * systems, mounts, fstab lines). Every path is a path in the build's namespace. Used by one
 * thread.
 *
 * @since 1.0
 */
@ProviderType
public interface CreateContext {
    /** An action that releases something a node created. */
    @FunctionalInterface
    interface Release {
        /** @throws Exception if releasing failed; the layer logs it and goes on */
        void run() throws Exception;
    }

    /** @return the build */
    BuildContext build();

    /** @return where to run commands; mounts made here vanish with the build */
    Sandbox sandbox();

    /** @return the finished tree to copy into the file systems */
    Path tree();

    /** @return where the file systems are mounted: the root file system at this path */
    Path mountBase();

    /** @return a scratch directory of this layout, removed when it is closed */
    Path workDir();

    /** @return the directory for image files ({@code TMP_IMAGE_DIR}) */
    Path imageDir();

    /** @return the image size computed from the tree or requested, in bytes (a multiple of 64 KiB) */
    long imageSize();

    /**
     * Records the region a node provides to the nodes built on it.
     *
     * @param node   the providing node
     * @param region the region
     */
    void putRegion(String node, Region region);

    /**
     * @param node a node name (usually a {@code base})
     * @return its region
     * @throws BuildException if that node provides none
     */
    Region region(String node) throws BuildException;

    /** @param fs a file system a mkfs node made */
    void putFileSystem(FileSystem fs);

    /**
     * @param node a mkfs node name
     * @return its file system
     * @throws BuildException if there is none
     */
    FileSystem fileSystem(String node) throws BuildException;

    /**
     * @param fileSystemNode a mkfs node name
     * @return the mount point the configuration gives it, if any
     */
    Optional<String> mountPointOf(String fileSystemNode);

    /**
     * A read-only view of the tree at {@code mountPoint} in which the mount points of the
     * other file systems below it are empty directories: the contents of exactly one file
     * system, for {@code mkfs.ext4 -d}, {@code cp -a} or {@code mcopy}. Valid until create ends.
     *
     * @param mountPoint a mount point of the configuration
     * @return the view
     * @throws BuildException if it cannot be made
     */
    Path stage(String mountPoint) throws BuildException;

    /** @param mount a mount made by a mount node */
    void putMount(Mount mount);

    /**
     * @param mountPoint a mount point
     * @return the mount, if a mount node made it
     */
    Optional<Mount> mount(String mountPoint);

    /** @param entry an fstab line for a mount node */
    void putFstab(FstabEntry entry);

    /**
     * Registers how to release something just created. Actions run in reverse order of
     * registration when creating fails and when the layout closes.
     *
     * @param what   what it releases, for the log
     * @param action the action
     */
    void onRelease(String what, Release action);

    /** @param line a line for the build log */
    void log(String line);
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.image;

import java.nio.file.Path;

import org.osgi.annotation.versioning.ConsumerType;

import dib.core.build.BuildContext;
import dib.core.build.BuildException;

/**
 * An output type for {@code -t}. Register as a service with the property {@value #TYPE}.
 * Tree formats ({@code tar}, {@code squashfs}) are written from the finished, mounted tree;
 * disk formats ({@code qcow2}, {@code vhd}, {@code raw}) from the raw disk image.
 *
 * @since 1.0
 */
@ConsumerType
public interface OutputFormat {
    /** Service property: the {@code -t} name. */
    String TYPE = "dib.output.type";

    /** Where a format takes its input from. */
    enum Source {
        /** The finished tree (file system contents), {@code /proc} and {@code /sys} excluded. */
        TREE,
        /** The raw disk image. */
        DISK
    }

    /** @return the input this format needs */
    Source source();

    /** @return the file name extension ({@code qcow2}; {@code squash} for squashfs) */
    String extension();

    /**
     * Writes the output.
     *
     * @param ctx    the build
     * @param input  the tree or the raw image (a namespace path)
     * @param target the file to write (a host path; a temporary name that the engine
     *               renames when every output is complete)
     * @throws BuildException naming what failed
     */
    void write(BuildContext ctx, Path input, Path target) throws BuildException;
}

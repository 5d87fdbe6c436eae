// SPDX-License-Identifier: Apache-2.0
package dib.core.archive;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

import dib.core.sandbox.Sandbox;

/**
 * How to extract: where commands run, which extended attributes to keep, how much free
 * space to leave. Mutable builder; not thread-safe. Defaults: paths are host paths and
 * helper commands run on the host, owners are restored when the JVM runs as root, every
 * extended attribute but {@code security.selinux} is kept (as upstream's
 * {@code --xattrs-exclude=security.selinux}), 64 MiB stay free, nothing is logged.
 *
 * @since 1.0
 */
public final class ExtractOptions {
    /** Extended attributes upstream drops when it extracts a base image. */
    public static final Predicate<String> ALL_BUT_SELINUX = n -> !n.equals("security.selinux");

    private Sandbox sandbox;
    private Predicate<String> xattrs = ALL_BUT_SELINUX;
    private boolean owners = "root".equals(System.getProperty("user.name"));
    private long reserve = 64L << 20;
    private Consumer<String> log = l -> { };
    private BooleanSupplier cancelled = () -> false;

    /** @return the defaults */
    public static ExtractOptions defaults() {
        return new ExtractOptions();
    }

    /**
     * The archive and target are paths in this sandbox's mount namespace; the JVM reaches
     * them through {@link Sandbox#host} and helper commands run inside it.
     *
     * @param s the build's sandbox, or null for host paths
     * @return this
     */
    public ExtractOptions sandbox(Sandbox s) {
        sandbox = s;
        return this;
    }

    /**
     * @param keep which extended attributes (by full name, e.g. {@code user.x},
     *             {@code security.capability}) to restore
     * @return this
     */
    public ExtractOptions xattrs(Predicate<String> keep) {
        xattrs = keep;
        return this;
    }

    /**
     * @param restore restore numeric owners (needs root); when false files belong to the JVM's user
     * @return this
     */
    public ExtractOptions owners(boolean restore) {
        owners = restore;
        return this;
    }

    /**
     * @param bytes free space an extraction must leave on the target's file system; an entry
     *              (or a sparse entry's apparent size) that would eat into it is refused
     * @return this
     */
    public ExtractOptions reserve(long bytes) {
        reserve = bytes;
        return this;
    }

    /**
     * @param l receives a few progress lines
     * @return this
     */
    public ExtractOptions log(Consumer<String> l) {
        log = l;
        return this;
    }

    /**
     * @param c polled between entries; when it returns true the extraction stops with an
     *          {@link ArchiveException}
     * @return this
     */
    public ExtractOptions cancelledWhen(BooleanSupplier c) {
        cancelled = c;
        return this;
    }

    /** @return the sandbox the paths belong to, or null for host paths */
    public Sandbox sandbox() { return sandbox; }

    /** @return which extended attributes are restored */
    public Predicate<String> xattrs() { return xattrs; }

    /** @return whether numeric owners are restored */
    public boolean owners() { return owners; }

    /** @return the free space (bytes) an extraction must leave */
    public long reserve() { return reserve; }

    /** @return where progress lines go */
    public Consumer<String> log() { return log; }

    /** @return polled between entries; true stops the extraction */
    public BooleanSupplier cancelled() { return cancelled; }
}

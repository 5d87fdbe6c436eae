// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.util.List;
import java.util.Map;

import dib.core.build.BuildContext;
import dib.core.build.BuildException;

/**
 * Upstream's legacy settings, read from the request (command-line options) and else from the
 * environment: the root file system's type, label and mkfs options (merged into the
 * {@code mkfs_root} node where it sets none itself) and the image size.
 */
final class Params {
    static final String ROOT_MKFS = "mkfs_root";

    private final BuildContext ctx;

    Params(BuildContext ctx) {
        this.ctx = ctx;
    }

    /** @return the request's value if set, else the environment's, else null */
    private String value(String requested, String variable) {
        if (requested != null && !requested.isEmpty()) {
            return requested;
        }
        String v = ctx.environment().get(variable);
        return v == null || v.isEmpty() ? null : v;
    }

    /** @return {@code FS_TYPE}, default ext4 */
    String fsType() {
        String v = ctx.environment().get("FS_TYPE");
        return v == null || v.isBlank() ? "ext4" : v.strip();
    }

    /** @return {@code --root-label} or {@code ROOT_LABEL}, or null for the default */
    String rootLabel() {
        return value(ctx.request().rootLabel(), "ROOT_LABEL");
    }

    /** @return {@code --mkfs-journal-size} or {@code DIB_JOURNAL_SIZE} in MB, default 64 */
    long journalMiB() throws BuildException {
        String v = value(ctx.request().mkfsJournalSize(), "DIB_JOURNAL_SIZE");
        return v == null ? 64 : positive(v, "--mkfs-journal-size/DIB_JOURNAL_SIZE");
    }

    /** @return {@code --image-size} or {@code DIB_IMAGE_SIZE} in GB (decimals allowed), or null */
    String imageSizeGb() {
        return value(ctx.request().imageSize(), "DIB_IMAGE_SIZE");
    }

    /** @return {@code --image-extra-size} or {@code DIB_IMAGE_EXTRA_SIZE} in MB, or null */
    String extraSizeMb() {
        return value(ctx.request().imageExtraSize(), "DIB_IMAGE_EXTRA_SIZE");
    }

    /**
     * Fills in the {@code mkfs_root} node: type from {@code FS_TYPE}, label from the root
     * label (default {@code cloudimg-rootfs}, {@code img-rootfs} for xfs), where the node sets
     * none.
     */
    void mergeRoot(List<ConfigEntry> entries) {
        for (ConfigEntry e : entries) {
            if (!e.key().equals("mkfs") || !ROOT_MKFS.equals(e.values().get("name"))) {
                continue;
            }
            Map<String, Object> v = e.values();
            v.putIfAbsent("type", fsType());
            if (!v.containsKey("label")) {
                String l = rootLabel();
                v.put("label", l != null ? l : "xfs".equals(String.valueOf(v.get("type"))) ? "img-rootfs"
                        : "cloudimg-rootfs");
            }
        }
    }

    /**
     * Upstream's {@code MKFS_OPTS} for the root file system: {@code -E resize=N} with
     * {@code --max-online-resize}, then for ext4 {@code -i 4096 -J size=JOURNAL} (and
     * {@code -O ^metadata_csum} for trusty), then {@code --mkfs-options}; applied to
     * {@code mkfs_root} unless it sets {@code opts}.
     */
    void mergeRootOptions(List<ConfigEntry> entries, String rootFsType) throws BuildException {
        StringBuilder opts = new StringBuilder();
        String resize = value(ctx.request().maxOnlineResize(), "MAX_ONLINE_RESIZE");
        if (resize != null) {
            opts.append("-E resize=").append(positive(resize, "--max-online-resize")).append(' ');
        }
        if ("ext4".equals(rootFsType)) {
            if ("trusty".equals(ctx.environment().get("DIB_RELEASE"))) {
                opts.append("-O ^metadata_csum ");
            }
            opts.append("-i 4096 -J size=").append(journalMiB()).append(' ');
        }
        if (ctx.request().mkfsOptions() != null) {
            opts.append(ctx.request().mkfsOptions());
        }
        String o = opts.toString().strip();
        if (o.isEmpty()) {
            return;
        }
        for (ConfigEntry e : entries) {
            if (e.key().equals("mkfs") && ROOT_MKFS.equals(e.values().get("name"))) {
                e.values().putIfAbsent("opts", o);
            }
        }
    }

    private static long positive(String v, String what) throws BuildException {
        try {
            long n = Long.parseLong(v.strip());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new BuildException(what + ": '" + v + "' is not a positive whole number");
    }

    /**
     * Upstream's image size in KiB: the requested size, or the tree's size divided by 0.6
     * (or plus the extra size), plus the ext4 journal when automatic, plus 525 MiB with
     * {@code block-device-efi}, rounded up to 64 KiB.
     *
     * @param treeKiB     the tree's disk usage ({@code du -x}) in KiB
     * @param rootFsType  the root file system's type
     */
    long imageSizeKiB(long treeKiB, String rootFsType) throws BuildException {
        String gb = imageSizeGb();
        long size;
        if (gb != null) {
            size = (long) (decimal(gb, "--image-size/DIB_IMAGE_SIZE") * 1024 * 1024);
        } else {
            String extra = extraSizeMb();
            if (extra != null) {
                size = treeKiB + (long) (decimal(extra, "DIB_IMAGE_EXTRA_SIZE") * 1024);
            } else {
                size = (long) (treeKiB / 0.6);
            }
            if ("ext4".equals(rootFsType)) {
                size += journalMiB() * 1024;
            }
        }
        if (ctx.elements().names().stream().anyMatch(n -> n.contains("block-device-efi"))) {
            size += 525 * 1024;
        }
        if (size % 64 != 0) {
            size += 64 - size % 64;
        }
        if (size <= 0) {
            throw new BuildException("--image-size/DIB_IMAGE_SIZE: '" + gb + "' gives an empty image");
        }
        return size;
    }

    private static double decimal(String v, String what) throws BuildException {
        try {
            double d = Double.parseDouble(v.strip());
            if (d >= 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new BuildException(what + ": '" + v + "' is not a number");
    }

    /** @return true when {@code DIB_SHOW_IMAGE_USAGE} asks for the usage report */
    boolean showUsage() {
        String v = ctx.environment().get("DIB_SHOW_IMAGE_USAGE");
        return v != null && !v.isEmpty() && !v.equals("0");
    }

    /** @return true when {@code DIB_SHOW_IMAGE_USAGE_FULL} asks for every entry */
    boolean showUsageFull() {
        String v = ctx.environment().get("DIB_SHOW_IMAGE_USAGE_FULL");
        return v != null && !v.isEmpty() && !v.equals("0");
    }
}

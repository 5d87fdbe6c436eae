// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.osgi.service.component.annotations.Component;

import dib.blockdevice.CreateContext;
import dib.blockdevice.Node;
import dib.blockdevice.NodeType;
import dib.blockdevice.PlanContext;
import dib.blockdevice.Region;
import dib.blockdevice.SizeSpec;
import dib.core.build.BuildException;

/**
 * {@code partitioning}: an MBR or GPT partition table written straight into the image file
 * of its {@code base} (no sfdisk, sgdisk or kpartx), one node per partition. Sizes follow
 * upstream: MBR partitions as {@link MbrTable} lays them out, GPT partitions (sgdisk's
 * {@code -n N:0:+SIZEM}) in whole MiB from 1 MiB on, percentages taken of the disk less
 * 2 MiB minus the partitions before. The {@code boot} flag marks an MBR partition active
 * and sets a GPT partition's legacy-BIOS-bootable attribute.
 */
@Component(service = NodeType.class, property = NodeType.KEY + "=partitioning")
public final class PartitioningType implements NodeType {
    private static final long MIB = 1L << 20;

    @Override
    public List<Node> parse(Map<String, Object> config, PlanContext plan) throws BuildException {
        EntryReader r = new EntryReader(config, plan, "partitioning");
        String base = r.required("base");
        if (!r.has("partitions")) {
            throw r.error("needs 'partitions'");
        }
        String label = r.required("label");
        if (!label.equals("mbr") && !label.equals("gpt")) {
            throw r.error("label must be 'mbr' or 'gpt', not '" + label + "'");
        }
        long align = MIB;
        if (r.has("align")) {
            try {
                align = SizeSpec.parse(r.required("align"));
            } catch (IllegalArgumentException e) {
                throw r.error(e.getMessage());
            }
        }
        Table table = new Table(base, label, align);
        List<Node> nodes = new ArrayList<>();
        Part previous = null;
        for (Map<String, Object> pc : r.maps("partitions")) {
            EntryReader p = r.nested(pc, "partition '" + pc.get("name") + "'");
            String name = p.required("name");
            Set<String> flags = new LinkedHashSet<>(p.words("flags"));
            for (String f : flags) {
                if (!f.equals("boot") && !f.equals("primary")) {
                    throw p.error("unknown flag '" + f + "'");
                }
                if (f.equals("primary") && label.equals("gpt")) {
                    throw p.error("the primary flag is not supported for GPT partitions");
                }
            }
            String size = p.required("size");
            try {
                SizeSpec.parse(size, 1);
            } catch (IllegalArgumentException e) {
                throw p.error(e.getMessage());
            }
            Object type = pc.get("type");
            String typeCode;
            if (label.equals("gpt")) {
                typeCode = type == null ? "8300" : String.valueOf(type);
                try {
                    GptTable.type(typeCode);
                } catch (IllegalArgumentException e) {
                    throw p.error(e.getMessage());
                }
            } else {
                if (type != null && !(type instanceof String)) {
                    throw p.error("an MBR type must be a quoted hex string such as '0x83', not " + type);
                }
                typeCode = type == null ? "0x83" : (String) type;
                mbrType(typeCode, p);
            }
            Part part = new Part(name, base, table, previous, flags, size, typeCode, p);
            table.parts.add(part);
            nodes.add(part);
            previous = part;
        }
        if (nodes.isEmpty()) {
            throw r.error("'partitions' is empty");
        }
        return nodes;
    }

    private static int mbrType(String code, EntryReader p) throws BuildException {
        String c = code.strip().toLowerCase(java.util.Locale.ROOT);
        try {
            int t = Integer.parseInt(c.startsWith("0x") ? c.substring(2) : c, 16);
            if (t >= 0 && t <= 0xFF) {
                return t;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw p.error("MBR type '" + code + "' is not a hex byte");
    }

    /** The table shared by a partitioning entry's partition nodes; written once. */
    private static final class Table {
        final String base;
        final String label;
        final long align;
        final List<Part> parts = new ArrayList<>();
        boolean written;

        Table(String base, String label, long align) {
            this.base = base;
            this.label = label;
            this.align = align;
        }

        void create(CreateContext ctx) throws BuildException {
            if (written) {
                return;
            }
            written = true;
            Region disk = ctx.region(base);
            String what = "partitioning of '" + base + "'";
            try (FileChannel ch = FileChannel.open(ctx.sandbox().host(disk.image()), StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                if (label.equals("mbr")) {
                    mbr(ctx, disk, ch);
                } else {
                    gpt(ctx, disk, ch);
                }
                ch.force(false);
            } catch (IOException e) {
                throw new BuildException(what + ": cannot write the partition table into " + disk.image() + ": "
                        + Messages.describe(e), e);
            }
        }

        private void mbr(CreateContext ctx, Region disk, FileChannel ch) throws IOException, BuildException {
            int ss = disk.sectorSize();
            MbrTable t = new MbrTable(disk.size(), align, ss);
            for (Part p : parts) {
                long size = p.bytes(t.free());
                MbrTable.Part mp;
                try {
                    mp = t.add(p.flags.contains("primary"), p.flags.contains("boot"), size, mbrType(p.type, p.reader));
                } catch (IllegalArgumentException e) {
                    throw p.reader.error(e.getMessage() + " (disk " + disk.size() + " bytes)");
                }
                p.region = new Region(disk.image(), disk.offset() + mp.start() * ss, mp.length() * ss, ss);
                ctx.putRegion(p.name, p.region);
                ctx.log("partition " + mp.number() + " '" + p.name + "': sectors " + mp.start() + "+" + mp.length());
            }
            t.write(ch, disk.offset());
        }

        private void gpt(CreateContext ctx, Region disk, FileChannel ch) throws IOException, BuildException {
            int ss = disk.sectorSize();
            long free = disk.size() - 2 * MIB;
            long next = MIB;
            long last = GptTable.lastUsable(disk.size() / ss, ss);
            List<GptTable.Entry> entries = new ArrayList<>();
            int number = 1;
            for (Part p : parts) {
                long size = p.bytes(free) / MIB * MIB;
                if (size <= 0) {
                    throw p.reader.error("size '" + p.size + "' is less than 1 MiB of the " + free / MIB
                            + " MiB left (disk " + disk.size() + " bytes)");
                }
                if (size > free) {
                    throw p.reader.error("size '" + p.size + "' does not fit: " + free / MIB + " MiB left (disk "
                            + disk.size() + " bytes)");
                }
                long first = next / ss;
                long lastSector = first + size / ss - 1;
                if (lastSector > last) {
                    throw p.reader.error("does not fit before the backup GPT (disk " + disk.size() + " bytes)");
                }
                entries.add(new GptTable.Entry(p.name, GptTable.type(p.type), UUID.randomUUID(), first, lastSector,
                        p.flags.contains("boot") ? GptTable.LEGACY_BOOTABLE : 0));
                p.region = new Region(disk.image(), disk.offset() + next, size, ss);
                ctx.putRegion(p.name, p.region);
                ctx.log("partition " + number + " '" + p.name + "': sectors " + first + "-" + lastSector);
                next += size;
                free -= size;
                number++;
            }
            GptTable.write(ch, disk.offset(), disk.size(), ss, UUID.randomUUID(), entries);
        }
    }

    /** One partition node. */
    private static final class Part implements Node {
        final String name;
        final String base;
        final Table table;
        final Part previous;
        final Set<String> flags;
        final String size;
        final String type;
        final EntryReader reader;
        Region region;

        Part(String name, String base, Table table, Part previous, Set<String> flags, String size, String type,
                EntryReader reader) {
            this.name = name;
            this.base = base;
            this.table = table;
            this.previous = previous;
            this.flags = flags;
            this.size = size;
            this.type = type;
            this.reader = reader;
        }

        long bytes(long available) throws BuildException {
            try {
                return SizeSpec.parse(size, available);
            } catch (IllegalArgumentException e) {
                throw reader.error(e.getMessage());
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<String> after(PlanContext plan) {
            return previous == null ? List.of(base) : List.of(base, previous.name);
        }

        @Override
        public void create(CreateContext ctx) throws BuildException {
            table.create(ctx);
        }
    }
}

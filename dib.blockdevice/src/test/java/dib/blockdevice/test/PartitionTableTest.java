// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dib.blockdevice.internal.GptTable;
import dib.blockdevice.internal.PartitionReader;

/** dib's GPT type codes are sgdisk's; the reader reads what sfdisk writes. */
class PartitionTableTest {
    @Test
    void gptTypeCodesAreSgdisks(@TempDir Path dir) throws Exception {
        Pattern guid = Pattern.compile("Partition GUID code: ([0-9A-F-]+)");
        for (Map.Entry<String, String> e : GptTable.codes().entrySet()) {
            Path f = dir.resolve("disk-" + e.getKey());
            Fixtures.run("truncate", "-s", "8M", f.toString());
            Fixtures.run("sgdisk", "-o", "-n", "1:0:+1M", "-t", "1:" + e.getKey(), f.toString());
            Matcher m = guid.matcher(Fixtures.run("sgdisk", "-i", "1", f.toString()));
            m.find();
            assertEquals(m.group(1), e.getValue(), "type code " + e.getKey());
            assertEquals(m.group(1), GptTable.type(e.getKey()).toString().toUpperCase(Locale.ROOT));
        }
        assertEquals(GptTable.type("EF00"), GptTable.type("0xef00"));
        assertEquals(GptTable.type("8300"), GptTable.type("0FC63DAF-8483-4772-8E79-3D69D8477DE4"));
        assertThrows(IllegalArgumentException.class, () -> GptTable.type("ZZ00"));
    }

    @Test
    void readsWhatSfdiskWrites(@TempDir Path dir) throws Exception {
        Path mbr = dir.resolve("mbr");
        Fixtures.run("truncate", "-s", "64M", mbr.toString());
        Files.writeString(dir.resolve("mbr.sfdisk"), """
                label: dos
                start=2048, size=20480, type=83, bootable
                start=22528, type=5
                start=24576, size=10240, type=82
                start=36864, size=8192, type=83
                """);
        Fixtures.run("sh", "-c", "sfdisk -q " + mbr + " < " + dir.resolve("mbr.sfdisk"));
        PartitionReader.Table t = PartitionReader.read(mbr);
        assertEquals(PartitionReader.Kind.MBR, t.kind());
        assertEquals(new PartitionReader.Partition(1, 2048 * 512L, 20480 * 512L, "83", true), t.partitions().get(0));
        assertEquals(new PartitionReader.Partition(5, 24576 * 512L, 10240 * 512L, "82", false), t.partitions().get(1));
        assertEquals(new PartitionReader.Partition(6, 36864 * 512L, 8192 * 512L, "83", false), t.partitions().get(2));

        Path gpt = dir.resolve("gpt");
        Fixtures.run("truncate", "-s", "64M", gpt.toString());
        Fixtures.run("sgdisk", "-n", "1:0:+8M", "-t", "1:EF02", "-n", "2:0:0", "-t", "2:8300", "-A", "2:set:2",
                gpt.toString());
        t = PartitionReader.read(gpt);
        assertEquals(PartitionReader.Kind.GPT, t.kind());
        assertEquals(2, t.partitions().size());
        assertEquals(true, t.partitions().get(0).biosBoot());
        assertEquals(true, t.partitions().get(1).boot(), "legacy BIOS bootable attribute");
        assertEquals(2048 * 512L + 8 * 1048576L, t.partitions().get(1).start());

        Path bare = dir.resolve("bare");
        Fixtures.run("truncate", "-s", "64M", bare.toString());
        Fixtures.run("mkfs.ext4", "-q", bare.toString());
        assertEquals(PartitionReader.Kind.NONE, PartitionReader.read(bare).kind());
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.blockdevice.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import dib.blockdevice.SizeSpec;

/** Upstream's size specifications. */
class SizingTest {
    @Test
    void units() {
        assertEquals(550L << 20, SizeSpec.parse("550MiB"));
        assertEquals(8L << 20, SizeSpec.parse("8MiB"));
        assertEquals(40_000_000_000L, SizeSpec.parse("40G"));
        assertEquals(1_500_000_000L, SizeSpec.parse("1.5GB"));
        assertEquals(2L << 30, SizeSpec.parse("2 GiB"));
        assertEquals(1024, SizeSpec.parse("1024"));
        assertEquals(1024, SizeSpec.parse("1KiB"));
        assertEquals(1 << 20, SizeSpec.parse("MiB"), "an empty number is 1");
        assertEquals(512, SizeSpec.parse("512B"));
        assertEquals(1L << 40, SizeSpec.parse("1TiB"));
    }

    @Test
    void percentages() {
        assertEquals(500, SizeSpec.parse("50%", 1000));
        assertEquals(1000, SizeSpec.parse("100%", 1000));
        assertEquals(333, SizeSpec.parse("33.3%", 1000));
        assertEquals(1 << 20, SizeSpec.parse("1MiB", 5), "absolute sizes ignore what is available");
    }

    @Test
    void rejects() {
        assertThrows(IllegalArgumentException.class, () -> SizeSpec.parse("12 furlongs"));
        assertThrows(IllegalArgumentException.class, () -> SizeSpec.parse("1.2.3G"));
        assertThrows(IllegalArgumentException.class, () -> SizeSpec.parse("-1G"));
        assertThrows(IllegalArgumentException.class, () -> SizeSpec.parse("x%", 10));
    }
}

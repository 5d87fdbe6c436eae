// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;

import dib.ramdisk.internal.ParallelGzipOutputStream;

class ParallelGzipTest {
    private static byte[] gzip(byte[] in) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream z = new ParallelGzipOutputStream(o, 6)) {
            // uneven writes across block boundaries
            int off = 0;
            int step = 1;
            while (off < in.length) {
                int n = Math.min(step, in.length - off);
                z.write(in, off, n);
                off += n;
                step = step * 3 + 1;
            }
        }
        return o.toByteArray();
    }

    @Test
    void anyGzipReaderGetsTheInputBackAndTheOutputIsStable() throws Exception {
        Random r = new Random(42);
        for (int size : new int[] { 0, 1, 1 << 20, (2 << 20) + 12345, 5_000_000 }) {
            byte[] in = new byte[size];
            // compressible: text-like runs with some noise
            for (int i = 0; i < size; i++) {
                in[i] = (byte) (r.nextInt(8) == 0 ? r.nextInt(256) : 'a' + (i / 7) % 26);
            }
            byte[] z = gzip(in);
            try (GZIPInputStream g = new GZIPInputStream(new ByteArrayInputStream(z))) {
                assertArrayEquals(in, g.readAllBytes(), "size " + size);
            }
            assertArrayEquals(z, gzip(in), "same input, same bytes (size " + size + ")");
            if (size > 1000) {
                assertTrue(z.length < size / 2, "it compresses: " + z.length + " of " + size);
            }
        }
    }
}

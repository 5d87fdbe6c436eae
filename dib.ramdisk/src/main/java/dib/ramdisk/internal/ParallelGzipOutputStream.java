// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip on every core, the way pigz does it: the input is cut into fixed blocks, each block
 * is deflated on its own thread with the previous block's last 32 KiB as preset dictionary
 * and ended with a sync flush, and the pieces are joined into one deflate stream. The output
 * depends only on the input, the block size and the level, never on the number of threads,
 * so it stays reproducible; any gzip reader (the kernel's included) reads it.
 */
public final class ParallelGzipOutputStream extends OutputStream {
    private static final int BLOCK = 1 << 20;
    private static final int DICT = 32 * 1024;

    private final OutputStream out;
    private final int level;
    private final ExecutorService pool;
    private final int maxInFlight;
    private final Deque<Future<byte[]>> inFlight = new ArrayDeque<>();
    private final CRC32 crc = new CRC32();
    private byte[] block = new byte[BLOCK];
    private int fill;
    private byte[] dict;
    private long total;
    private boolean closed;

    /**
     * @param out   receives the gzip stream; closed by {@link #close()}
     * @param level the zlib level (0-9)
     */
    public ParallelGzipOutputStream(OutputStream out, int level) throws IOException {
        this.out = out;
        this.level = level;
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        this.maxInFlight = threads * 2;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "dib-ramdisk-gzip");
            t.setDaemon(true);
            return t;
        });
        // magic, deflate, no flags, no time, no extra flags, OS unix
        out.write(new byte[] { 0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 });
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] { (byte) b }, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, BLOCK - fill);
            System.arraycopy(b, off, block, fill, n);
            fill += n;
            off += n;
            len -= n;
            if (fill == BLOCK) {
                submit(false);
            }
        }
    }

    private void submit(boolean last) throws IOException {
        byte[] data = fill == block.length ? block : Arrays.copyOf(block, fill);
        crc.update(data, 0, data.length);
        total += data.length;
        byte[] preset = dict;
        dict = data.length >= DICT ? Arrays.copyOfRange(data, data.length - DICT, data.length) : null;
        inFlight.add(pool.submit(() -> deflate(data, preset, last)));
        block = new byte[BLOCK];
        fill = 0;
        while (inFlight.size() >= maxInFlight) {
            drainOne();
        }
    }

    private byte[] deflate(byte[] data, byte[] preset, boolean last) {
        Deflater d = new Deflater(level, true);
        try {
            if (preset != null) {
                d.setDictionary(preset);
            }
            d.setInput(data);
            java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream(data.length / 3 + 64);
            byte[] buf = new byte[64 * 1024];
            if (last) {
                d.finish();
                while (!d.finished()) {
                    int n = d.deflate(buf);
                    o.write(buf, 0, n);
                }
            } else {
                int n;
                do {
                    n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
                    o.write(buf, 0, n);
                } while (n == buf.length || !d.needsInput());
            }
            return o.toByteArray();
        } finally {
            d.end();
        }
    }

    private void drainOne() throws IOException {
        try {
            out.write(inFlight.removeFirst().get());
        } catch (ExecutionException e) {
            throw new IOException("gzip failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while compressing");
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            submit(true);
            while (!inFlight.isEmpty()) {
                drainOne();
            }
            byte[] trailer = new byte[8];
            int c = (int) crc.getValue();
            int s = (int) total;
            for (int i = 0; i < 4; i++) {
                trailer[i] = (byte) (c >>> (8 * i));
                trailer[4 + i] = (byte) (s >>> (8 * i));
            }
            out.write(trailer);
        } finally {
            pool.shutdownNow();
            out.close();
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.ramdisk.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * How the initramfs is compressed ({@code DIB_RAMDISK_COMPRESSION}). Every kind is one the
 * Linux initramfs unpacker reads and gives the same bytes for the same input.
 */
enum Compression {
    /**
     * gzip (the default, as upstream): zlib level 6 on every core (1 MiB blocks joined into
     * one stream, as pigz), no name or time in the header.
     */
    GZIP("gzip"),
    /** xz: XZ for Java (an OSGi bundle), preset 6, CRC32 check (the kernel's unpacker knows no CRC64). */
    XZ("xz"),
    /** zstd: the host's {@code zstd} tool (level 3, multi-threaded; its output does not depend on the thread count). */
    ZSTD("zstd"),
    /** an uncompressed cpio archive. */
    NONE("none");

    private final String word;

    Compression(String word) {
        this.word = word;
    }

    /** @return the setting's word */
    String word() {
        return word;
    }

    /**
     * @param value the setting, null or empty for gzip
     * @return the kind
     * @throws IllegalArgumentException naming the bad value and the accepted ones
     */
    static Compression parse(String value) {
        if (value == null || value.isBlank()) {
            return GZIP;
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (Compression c : values()) {
            if (c.word.equals(v) || (c == GZIP && v.equals("gz")) || (c == ZSTD && v.equals("zst"))) {
                return c;
            }
        }
        throw new IllegalArgumentException("DIB_RAMDISK_COMPRESSION=" + value
                + " is not one of gzip, xz, zstd, none");
    }

    /**
     * Wraps {@code out}; closing the result finishes the compressed stream and closes {@code out}.
     */
    OutputStream wrap(OutputStream out) throws IOException {
        return switch (this) {
            case GZIP -> new ParallelGzipOutputStream(out, 6);
            case XZ -> new XZOutputStream(out, new LZMA2Options(6), org.tukaani.xz.XZ.CHECK_CRC32);
            case ZSTD -> new ToolStream(out, "zstd", "-q", "-3", "-T0", "-c", "-");
            case NONE -> out;
        };
    }

    /** Pipes through an external compressor: what is written goes to its stdin, its stdout to {@code out}. */
    private static final class ToolStream extends OutputStream {
        private final Process process;
        private final OutputStream stdin;
        private final Thread pump;
        private final OutputStream sink;
        private volatile IOException pumpError;
        private final String tool;

        ToolStream(OutputStream sink, String... cmd) throws IOException {
            this.sink = sink;
            this.tool = cmd[0];
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            try {
                process = pb.start();
            } catch (IOException e) {
                throw new IOException("DIB_RAMDISK_COMPRESSION=" + tool + " needs the '" + tool
                        + "' program on the build host, which cannot be run: " + e.getMessage());
            }
            stdin = process.getOutputStream();
            pump = new Thread(() -> {
                try (InputStream in = process.getInputStream()) {
                    in.transferTo(sink);
                } catch (IOException e) {
                    pumpError = e;
                }
            }, "dib-ramdisk-" + tool);
            pump.setDaemon(true);
            pump.start();
        }

        @Override
        public void write(int b) throws IOException {
            stdin.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            stdin.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            try {
                stdin.close();
                pump.join();
                if (!process.waitFor(10, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new IOException(tool + " did not finish");
                }
                if (process.exitValue() != 0) {
                    throw new IOException(tool + " failed with exit status " + process.exitValue());
                }
                if (pumpError != null) {
                    throw pumpError;
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while compressing with " + tool);
            } finally {
                process.destroyForcibly();
                sink.close();
            }
        }
    }
}

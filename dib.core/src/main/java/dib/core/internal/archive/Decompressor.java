// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.archive;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * Opens an archive file decompressed, choosing by content (not by name): gzip, xz and zstd
 * through the host's {@code gzip}, {@code xz} and {@code zstd} (another core does the
 * decompression while the JVM writes files), bzip2 in Java, anything else as plain tar.
 */
final class Decompressor {
    /** Compression formats recognised by their magic bytes. */
    enum Format {
        GZIP("gzip"), XZ("xz"), ZSTD("zstd"), BZIP2(null), NONE(null);

        final String tool;

        Format(String tool) {
            this.tool = tool;
        }
    }

    private Decompressor() {
    }

    static Format detect(Path file) throws IOException {
        byte[] m = new byte[6];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(m, 0, m.length);
        }
        if (n >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) {
            return Format.GZIP;
        }
        if (n >= 6 && (m[0] & 0xff) == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z' && m[5] == 0) {
            return Format.XZ;
        }
        if (n >= 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5 && (m[2] & 0xff) == 0x2f && (m[3] & 0xff) == 0xfd) {
            return Format.ZSTD;
        }
        if (n >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') {
            return Format.BZIP2;
        }
        return Format.NONE;
    }

    /**
     * The decompressed content of an archive. {@link #finish()} after reading everything
     * reports a decompressor failure (corrupt or truncated data); {@link #close()} alone
     * stops the decompressor without judging it.
     */
    static class Source extends FilterInputStream {
        Source(InputStream in) {
            super(in);
        }

        /** Reads what is left and checks that the decompressor succeeded, then closes. */
        void finish() throws IOException {
            close();
        }
    }

    /**
     * @param file the archive, as the JVM reaches it
     * @return its decompressed content
     */
    static Source open(Path file) throws IOException {
        Format f = detect(file);
        switch (f) {
            case NONE:
                return new Source(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
            case BZIP2:
                return new Source(new BZip2CompressorInputStream(
                        new BufferedInputStream(Files.newInputStream(file), 1 << 16), true));
            default:
                return tool(f.tool, file);
        }
    }

    private static Source tool(String tool, Path file) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(tool, "-dc");
        pb.redirectInput(ProcessBuilder.Redirect.from(file.toFile()));
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot run " + tool + " to decompress (install it): " + e.getMessage(), e);
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = Commands.collect(p.getErrorStream(), err);
        return new Source(new BufferedInputStream(p.getInputStream(), 1 << 18)) {
            @Override
            void finish() throws IOException {
                // read what is left (tar's end padding) so that the tool can finish
                in.transferTo(OutputStream.nullOutputStream());
                super.close();
                try {
                    if (!p.waitFor(60, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        throw new IOException(tool + " did not finish");
                    }
                    t.join(2000);
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while " + tool + " finished", e);
                }
                if (p.exitValue() != 0) {
                    String msg = err.toString(StandardCharsets.UTF_8).strip();
                    throw new IOException(tool + " failed with exit status " + p.exitValue()
                            + (msg.isEmpty() ? "" : ": " + Commands.lastLines(msg, 2)) + " (corrupt or truncated data)");
                }
            }

            @Override
            public void close() throws IOException {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
                super.close();
            }
        };
    }
}

// SPDX-License-Identifier: Apache-2.0
package dib.core.archive;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dib.core.build.BuildException;
import dib.core.cache.DownloadCache;
import dib.core.cache.DownloadCache.Fetch;
import dib.core.cache.DownloadCache.Outcome;

/**
 * Downloads of base images checked against published SHA-256 sums. Stateless and
 * thread-safe.
 *
 * @since 1.0
 */
public final class ImageDownloads {
    private static final Pattern GNU = Pattern.compile("^([0-9a-fA-F]{64})\\s+\\*?(\\S.*)$");
    private static final Pattern BSD = Pattern.compile("^SHA256\\s*\\((.+)\\)\\s*=\\s*([0-9a-fA-F]{64})$");

    private ImageDownloads() {
    }

    /** A file's SHA-256 sum is not the published one. */
    public static final class ChecksumMismatch extends BuildException {
        private static final long serialVersionUID = 1L;

        /** @param message one line naming the file and both sums */
        public ChecksumMismatch(String message) {
            super(message);
        }
    }

    /**
     * @param file a file
     * @return its SHA-256 sum in lower-case hex
     * @throws BuildException naming the file if it cannot be read
     */
    public static String sha256(Path file) throws BuildException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new BuildException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses a checksum list: {@code sha256sum} lines ({@code HEX  NAME}, {@code HEX *NAME})
     * and BSD lines ({@code SHA256 (NAME) = HEX}, as Fedora's CHECKSUM files); other lines
     * (PGP armour, comments, other algorithms) are ignored.
     *
     * @param text the list
     * @return file name to lower-case hex sum, in the list's order
     */
    public static Map<String, String> parseChecksums(String text) {
        Map<String, String> sums = new LinkedHashMap<>();
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            Matcher m = GNU.matcher(line);
            if (m.matches()) {
                sums.put(m.group(2), m.group(1).toLowerCase(Locale.ROOT));
                continue;
            }
            m = BSD.matcher(line);
            if (m.matches()) {
                sums.put(m.group(1), m.group(2).toLowerCase(Locale.ROOT));
            }
        }
        return sums;
    }

    /**
     * @param file     the file to check
     * @param expected the expected SHA-256 (hex, any case)
     * @param what     names the file's origin (URL or path) in the message
     * @throws ChecksumMismatch naming {@code what} and both sums
     */
    public static void verify(Path file, String expected, String what) throws BuildException {
        String got = sha256(file);
        if (!got.equalsIgnoreCase(expected.strip())) {
            throw new ChecksumMismatch("SHA-256 mismatch for " + what + ": expected " + expected.strip().toLowerCase(
                    Locale.ROOT) + ", got " + got);
        }
    }

    /** @return a verifier for {@link Fetch} that checks the SHA-256 of the downloaded file */
    public static DownloadCache.Verifier sha256Verifier(String expected, String what) {
        return file -> verify(file, expected, what);
    }

    /**
     * Makes {@code image} a verified copy of {@code imageUrl}, as upstream's ubuntu element:
     * fetch the checksum list (cached in {@code sumsFile}) and the image; the image must
     * match the list's entry for {@code name}. On a mismatch (a stale proxy or a mirror
     * caught between updates) the list and then the image are fetched once more with
     * {@code Cache-Control: no-cache}. A downloaded image that does not match never replaces
     * the cached one.
     *
     * @param cache    the build's cache
     * @param sumsUrl  the checksum list
     * @param sumsFile where the list is cached
     * @param imageUrl the image
     * @param image    where the image is cached
     * @param name     the image's name in the list
     * @param log      receives what happened
     * @return what the last image fetch did
     * @throws BuildException naming the URL: download failure, no entry for {@code name}
     *                        in the list, or a mismatch after the forced re-download
     */
    public static Outcome fetchVerified(DownloadCache cache, URI sumsUrl, Path sumsFile, URI imageUrl, Path image,
            String name, Consumer<String> log) throws BuildException {
        cache.fetch(sumsUrl, sumsFile, Fetch.plain());
        String expected = entry(sumsFile, sumsUrl, name);
        try {
            Outcome o = cache.fetch(imageUrl, image, new Fetch(false, sha256Verifier(expected, imageUrl.toString())));
            if (o != Outcome.DOWNLOADED) {
                verify(image, expected, image + " (cached copy of " + imageUrl + ")");
            }
            return o;
        } catch (ChecksumMismatch first) {
            log.accept(first.getMessage() + "; fetching " + sumsUrl + " and the image again without caches");
        }
        cache.fetch(sumsUrl, sumsFile, new Fetch(true, null));
        String fresh = entry(sumsFile, sumsUrl, name);
        if (Files.exists(image)) {
            try {
                verify(image, fresh, image.toString());
                log.accept("The cached " + image + " matches the fresh " + sumsUrl);
                return Outcome.NOT_MODIFIED;
            } catch (ChecksumMismatch stillStale) {
                // download it again below
            }
        }
        return cache.fetch(imageUrl, image, new Fetch(true, sha256Verifier(fresh, imageUrl.toString())));
    }

    private static String entry(Path sumsFile, URI sumsUrl, String name) throws BuildException {
        String text;
        try {
            text = Files.readString(sumsFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BuildException("cannot read " + sumsFile + " (from " + sumsUrl + "): " + e.getMessage(), e);
        }
        String sum = parseChecksums(text).get(name);
        if (sum == null) {
            throw new BuildException(sumsUrl + " has no SHA-256 sum for " + name);
        }
        return sum;
    }

    /**
     * The image named by {@code DIB_LOCAL_IMAGE} in a hook's environment, checked: it must be
     * a readable file, and when {@code DIB_LOCAL_IMAGE_SHA256} is set its SHA-256 must match.
     * A relative path is taken from the caller's working directory.
     *
     * @param environment the calling hook's environment
     * @param workingDir  the caller's working directory (for a relative path)
     * @param log         receives what was checked
     * @return the image (an absolute path), or null when {@code DIB_LOCAL_IMAGE} is not set
     * @throws BuildException naming the file when it is missing or its sum differs
     */
    public static Path localImage(Map<String, String> environment, Path workingDir, Consumer<String> log)
            throws BuildException {
        String local = environment.getOrDefault("DIB_LOCAL_IMAGE", "");
        if (local.isEmpty()) {
            return null;
        }
        Path image = workingDir.resolve(local).toAbsolutePath().normalize();
        if (!Files.isRegularFile(image) || !Files.isReadable(image)) {
            throw new BuildException("DIB_LOCAL_IMAGE " + local + " is not a readable file");
        }
        String sum = environment.getOrDefault("DIB_LOCAL_IMAGE_SHA256", "");
        if (!sum.isEmpty()) {
            verify(image, sum, "DIB_LOCAL_IMAGE " + image);
            log.accept("DIB_LOCAL_IMAGE " + image + " matches DIB_LOCAL_IMAGE_SHA256");
        }
        return image;
    }
}

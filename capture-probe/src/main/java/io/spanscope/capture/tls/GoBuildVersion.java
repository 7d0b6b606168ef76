package io.spanscope.capture.tls;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Go release that built an executable, from its {@code .go.buildinfo} section: the magic
 * {@code "\xff Go buildinf:"}, pointer size, flags; since Go 1.18 (flag 0x2) the version string follows
 * inline at offset 32, length-prefixed (uvarint); before, the section holds the address of a Go string
 * header ({@code runtime.buildVersion}) that the caller resolves in the file.
 *
 * @param major 1
 * @param minor e.g. 26 for go1.26.8
 */
public record GoBuildVersion(int major, int minor) {

    private static final byte[] MAGIC = "\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1);
    private static final int INLINE_STRINGS_FLAG = 0x2;
    private static final int INLINE_OFFSET = 32;
    private static final int MAX_VERSION_BYTES = 64;
    private static final Pattern RELEASE = Pattern.compile("^go(\\d+)\\.(\\d+)");

    /** Reads file bytes at a virtual address (for the pre-1.18 layout); null when the address is not in the file. */
    @FunctionalInterface
    interface AddressReader {
        byte[] read(long address, int length);
    }

    /** Go's register ABI (arguments and results in registers, g in R14) on amd64 starts with 1.17. */
    public boolean hasRegisterAbi() {
        return major > 1 || minor >= 17;
    }

    @Override
    public String toString() {
        return "go" + major + "." + minor;
    }

    /** The version in a {@code .go.buildinfo} section's bytes; empty when they do not hold one. */
    static Optional<GoBuildVersion> parse(byte[] section, AddressReader memory) {
        if (section == null || section.length < INLINE_OFFSET || !startsWithMagic(section)) {
            return Optional.empty();
        }
        int pointerSize = section[14];
        int flags = section[15];
        if ((flags & INLINE_STRINGS_FLAG) != 0) {
            return inline(section);
        }
        if (pointerSize != 8 || (flags & 0x1) != 0) {
            return Optional.empty(); // 32-bit or big-endian builds: not probed anyway
        }
        ByteBuffer le = ByteBuffer.wrap(section).order(ByteOrder.LITTLE_ENDIAN);
        byte[] header = memory.read(le.getLong(16), 16);
        if (header == null) {
            return Optional.empty();
        }
        ByteBuffer string = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        long length = string.getLong(8);
        if (length <= 0 || length > MAX_VERSION_BYTES) {
            return Optional.empty();
        }
        byte[] text = memory.read(string.getLong(0), (int) length);
        return text == null ? Optional.empty() : of(new String(text, StandardCharsets.ISO_8859_1));
    }

    private static Optional<GoBuildVersion> inline(byte[] section) {
        int length = 0;
        int at = INLINE_OFFSET;
        for (int shift = 0; at < section.length && shift < 35; shift += 7) {
            int b = section[at++] & 0xFF;
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (length <= 0 || length > MAX_VERSION_BYTES || at + length > section.length) {
                    return Optional.empty();
                }
                return of(new String(section, at, length, StandardCharsets.ISO_8859_1));
            }
        }
        return Optional.empty();
    }

    /** "go1.26.8", "go1.21rc2", "devel go1.23-abc..." (development builds name the release they follow). */
    static Optional<GoBuildVersion> of(String version) {
        Matcher m = RELEASE.matcher(version.startsWith("devel ") ? version.substring(6) : version);
        if (!m.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new GoBuildVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
        } catch (NumberFormatException tooLong) {
            return Optional.empty();
        }
    }

    private static boolean startsWithMagic(byte[] section) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (section[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }
}

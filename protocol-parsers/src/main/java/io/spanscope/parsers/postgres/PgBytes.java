package io.spanscope.parsers.postgres;

import java.nio.charset.StandardCharsets;

/** Big-endian integers and NUL-terminated strings of the PostgreSQL wire format, read in place. */
final class PgBytes {

    private PgBytes() {
    }

    static int int32(byte[] b, int i) {
        return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }

    static int int16(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    /** Index of the NUL ending the string that starts at {@code from}, or -1 when none before {@code end}. */
    static int nul(byte[] b, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    static String utf8(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.UTF_8);
    }

    /** True when {@code [from, to)} equals the ASCII {@code text}. */
    static boolean equalsAscii(byte[] b, int from, int to, String text) {
        if (to - from != text.length()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (b[from + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}

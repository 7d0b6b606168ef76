package io.spanscope.parsers.http1;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Byte-level ASCII helpers, so header scanning allocates nothing for names it does not keep. */
final class Ascii {

    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HT = '\t';

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LF_BYTES = 0x0A0A_0A0A_0A0A_0A0AL;
    private static final long LOW_BITS = 0x0101_0101_0101_0101L;
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

    private Ascii() {
    }

    /**
     * Index of the first LF in {@code [from, to)} or -1, eight bytes at a time: heads are mostly
     * searched for line ends, and a byte loop is the parser's hottest code otherwise.
     */
    static int indexOfLf(byte[] b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(b, i) ^ LF_BYTES;
            // Lowest set high bit marks the first zero byte of x, i.e. the first LF (little-endian).
            long found = (x - LOW_BITS) & ~x & HIGH_BITS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == LF) {
                return i;
            }
        }
        return -1;
    }

    static int indexOf(byte[] b, byte value, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    /** Compares {@code b[offset, offset+length)} with a lower-case ASCII name, ignoring case. */
    static boolean equalsLowerCase(byte[] b, int offset, int length, byte[] lowerName) {
        if (length != lowerName.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (lower(b[offset + i]) != lowerName[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the range contains {@code lowerToken} as a comma-separated token, ignoring case. */
    static boolean containsToken(byte[] b, int from, int to, byte[] lowerToken) {
        int i = from;
        while (i < to) {
            while (i < to && (b[i] == SP || b[i] == HT || b[i] == ',')) {
                i++;
            }
            int start = i;
            while (i < to && b[i] != ',') {
                i++;
            }
            int end = i;
            while (end > start && (b[end - 1] == SP || b[end - 1] == HT)) {
                end--;
            }
            if (equalsLowerCase(b, start, end - start, lowerToken)) {
                return true;
            }
        }
        return false;
    }

    static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    static int hexValue(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        int l = lower(c);
        return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
    }

    /** A token character (RFC 9110 tchar). */
    static boolean isTokenChar(int c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** Latin-1 decoding: a byte per char, the cheapest String the JDK can build. */
    static String string(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /**
     * {@code previous} when it has exactly these Latin-1 bytes, else a new String: header values such as
     * Host or User-Agent repeat on every request of a keep-alive connection.
     */
    static String sameOrNew(byte[] b, int from, int to, String previous) {
        if (previous != null && previous.length() == to - from) {
            int i = from;
            while (i < to && (b[i] & 0xFF) == previous.charAt(i - from)) {
                i++;
            }
            if (i == to) {
                return previous;
            }
        }
        return string(b, from, to);
    }

    static byte[] bytes(String ascii) {
        return ascii.getBytes(StandardCharsets.ISO_8859_1);
    }
}

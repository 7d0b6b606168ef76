package io.spanscope.parsers.http1;

import java.nio.charset.StandardCharsets;

/** Byte-level ASCII helpers, so header scanning allocates nothing for names it does not keep. */
final class Ascii {

    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HT = '\t';

    private Ascii() {
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

    static byte[] bytes(String ascii) {
        return ascii.getBytes(StandardCharsets.ISO_8859_1);
    }
}

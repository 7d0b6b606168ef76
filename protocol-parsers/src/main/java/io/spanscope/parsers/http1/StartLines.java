package io.spanscope.parsers.http1;

/**
 * Strict recognition of a whole request line or status line, used where the parser does not know it
 * is at a message boundary (resync after a gap, a connection joined mid-stream): a false positive there
 * would invent an exchange, so everything up to the line end is checked.
 */
final class StartLines {

    static final int MATCH = 1;
    static final int NEED_MORE = 0;
    static final int NO_MATCH = -1;

    private static final byte[] HTTP_1 = Ascii.bytes("HTTP/1.");

    private StartLines() {
    }

    static int requestLine(byte[] b, int from, int to, int maxLineBytes) {
        int limit = Math.min(to, from + maxLineBytes);
        int i = from;
        while (i < limit && i - from <= Methods.MAX_LENGTH && b[i] >= 'A' && b[i] <= 'Z') {
            i++;
        }
        if (i == limit) {
            return limit == to ? NEED_MORE : NO_MATCH;
        }
        if (i == from || b[i] != Ascii.SP) {
            return NO_MATCH;
        }
        int targetStart = ++i;
        while (i < limit && b[i] > Ascii.SP && b[i] < 0x7F) {
            i++;
        }
        if (i == limit) {
            return limit == to ? NEED_MORE : NO_MATCH;
        }
        if (i == targetStart || b[i] != Ascii.SP) {
            return NO_MATCH;
        }
        return versionThenLineEnd(b, i + 1, to);
    }

    static int statusLine(byte[] b, int from, int to) {
        int v = httpVersion(b, from, to);
        if (v != MATCH) {
            return v;
        }
        int i = from + HTTP_1.length + 1;
        for (int k = 0; k < 5; k++, i++) {
            if (i >= to) {
                return NEED_MORE;
            }
            int c = b[i];
            boolean ok = k == 0 ? c == Ascii.SP : k < 4 ? Ascii.isDigit(c) : c == Ascii.SP || c == Ascii.CR || c == Ascii.LF;
            if (!ok) {
                return NO_MATCH;
            }
        }
        return MATCH;
    }

    /** "HTTP/1.0" or "HTTP/1.1" at {@code from}. */
    static int httpVersion(byte[] b, int from, int to) {
        int n = Math.min(HTTP_1.length + 1, to - from);
        for (int k = 0; k < n; k++) {
            int c = b[from + k];
            boolean ok = k < HTTP_1.length ? c == HTTP_1[k] : c == '0' || c == '1';
            if (!ok) {
                return NO_MATCH;
            }
        }
        return n == HTTP_1.length + 1 ? MATCH : NEED_MORE;
    }

    private static int versionThenLineEnd(byte[] b, int from, int to) {
        int v = httpVersion(b, from, to);
        if (v != MATCH) {
            return v;
        }
        int i = from + HTTP_1.length + 1;
        if (i >= to) {
            return NEED_MORE;
        }
        if (b[i] == Ascii.LF) {
            return MATCH;
        }
        if (b[i] != Ascii.CR) {
            return NO_MATCH;
        }
        if (i + 1 >= to) {
            return NEED_MORE;
        }
        return b[i + 1] == Ascii.LF ? MATCH : NO_MATCH;
    }

    /**
     * First offset in {@code [from, to)} at a line start (after a LF, or {@code from} itself when
     * {@code fromIsLineStart}) where a start line of the wanted kind matches or may match, else -1.
     */
    static int findStartLine(byte[] b, int from, int to, boolean requests, boolean fromIsLineStart, int maxLineBytes) {
        int i = from;
        if (!fromIsLineStart) {
            int lf = Ascii.indexOfLf(b, from, to);
            if (lf < 0) {
                return -1;
            }
            i = lf + 1;
        }
        while (i < to) {
            int verdict = requests ? requestLine(b, i, to, maxLineBytes) : statusLine(b, i, to);
            if (verdict != NO_MATCH) {
                return i;
            }
            int lf = Ascii.indexOfLf(b, i, to);
            if (lf < 0) {
                return -1;
            }
            i = lf + 1;
        }
        return -1;
    }
}

package io.spanscope.parsers.http1;

/** Request methods recognised without allocation; detection accepts only these. */
final class Methods {

    private static final String[] KNOWN = {
        "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE",
        "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT", "SEARCH", "PURGE"
    };
    private static final byte[][] KNOWN_BYTES = new byte[KNOWN.length][];
    static final int MAX_LENGTH = 20;

    static {
        for (int i = 0; i < KNOWN.length; i++) {
            KNOWN_BYTES[i] = Ascii.bytes(KNOWN[i]);
        }
    }

    private Methods() {
    }

    /** The shared constant for a known method, else null. */
    static String known(byte[] b, int from, int to) {
        int length = to - from;
        for (int i = 0; i < KNOWN_BYTES.length; i++) {
            byte[] m = KNOWN_BYTES[i];
            if (m.length == length && regionEquals(b, from, m)) {
                return KNOWN[i];
            }
        }
        return null;
    }

    /**
     * Whether the bytes begin with a known method followed by a space: 1 yes, 0 cannot tell yet
     * (a prefix of one), -1 no.
     */
    static int startsWithKnown(byte[] b, int from, int to) {
        boolean prefix = false;
        for (byte[] m : KNOWN_BYTES) {
            int n = Math.min(m.length, to - from);
            if (!regionEquals(b, from, m, n)) {
                continue;
            }
            if (to - from > m.length) {
                if (b[from + m.length] == Ascii.SP) {
                    return 1;
                }
            } else {
                prefix = true;
            }
        }
        return prefix ? 0 : -1;
    }

    private static boolean regionEquals(byte[] b, int from, byte[] m) {
        return regionEquals(b, from, m, m.length);
    }

    private static boolean regionEquals(byte[] b, int from, byte[] m, int n) {
        for (int i = 0; i < n; i++) {
            if (b[from + i] != m[i]) {
                return false;
            }
        }
        return true;
    }
}

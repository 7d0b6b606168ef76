package io.spanscope.parsers.postgres;

/**
 * Message type bytes of protocol 3.x, which of them each direction may send, which ones the parser
 * needs whole, and what a plausible message start looks like when the parser has lost its place.
 */
final class PgMessageTypes {

    static final int NOT_A_START = 0;
    static final int PLAUSIBLE = 1;
    static final int UNDECIDED = 2;

    private static final byte[] READY_FOR_QUERY = {'Z', 0, 0, 0, 5};
    private static final byte[] EMPTY_LENGTH = {0, 0, 0, 4};
    private static final byte[] SYNC = {'S', 0, 0, 0, 4};
    private static final boolean[] FRONTEND_VALID = new boolean[128];
    private static final boolean[] BACKEND_VALID = new boolean[128];
    private static final boolean[] FRONTEND_KEPT = new boolean[128];
    private static final boolean[] BACKEND_KEPT = new boolean[128];

    static {
        // Bind Close Describe Execute FunctionCall Flush Parse Password/SASL/GSS Query Sync Terminate
        // CopyData CopyDone CopyFail
        mark(FRONTEND_VALID, "BCDEFHPpQSXdcf");
        // Query, Parse, Bind, Describe, Execute, Close: what the statement and its portal are
        mark(FRONTEND_KEPT, "QPBDEC");
        // Authentication BackendKeyData BindComplete CloseComplete CommandComplete CopyData CopyDone
        // CopyIn CopyOut CopyBoth DataRow EmptyQuery Error FunctionCallResponse NegotiateProtocolVersion
        // NoData Notice Notification ParameterDescription ParameterStatus ParseComplete PortalSuspended
        // ReadyForQuery RowDescription
        mark(BACKEND_VALID, "RK23CdcGHWDIEVvnNAtS1sZT");
        // the tag, the error fields, the transaction status; RowDescription and ParameterDescription for their counts
        mark(BACKEND_KEPT, "CEZTt");
    }

    private PgMessageTypes() {
    }

    private static void mark(boolean[] table, String types) {
        for (int i = 0; i < types.length(); i++) {
            table[types.charAt(i)] = true;
        }
    }

    /** What a framer does with a message type: {@link #kinds} values. */
    static final byte INVALID = 0;
    static final byte SKIPPED = 1;
    static final byte KEPT = 2;

    /**
     * One direction's verdict on every type byte, indexed by {@code type & 0xFF}: a framer looks a
     * message up once instead of asking valid and kept separately.
     */
    static byte[] kinds(boolean frontend) {
        byte[] kinds = new byte[256];
        for (int type = 1; type < 128; type++) {
            kinds[type] = isKept(frontend, (byte) type) ? KEPT : isValid(frontend, (byte) type) ? SKIPPED : INVALID;
        }
        return kinds;
    }

    static boolean isValid(boolean frontend, byte type) {
        return type > 0 && (frontend ? FRONTEND_VALID : BACKEND_VALID)[type];
    }

    static boolean isKept(boolean frontend, byte type) {
        return type > 0 && (frontend ? FRONTEND_KEPT : BACKEND_KEPT)[type];
    }

    /**
     * Whether a message plausibly starts at {@code at}: on the frontend a Query or Parse whose length
     * ends exactly on a NUL after printable text, a Bind whose fields fill its length exactly, or a
     * bare Sync; on the backend a ReadyForQuery
     * ({@code Z 0 0 0 5} and a transaction status) or an empty ParseComplete, BindComplete,
     * CloseComplete, NoData or EmptyQueryResponse (what a response to a new request starts with). These are rare by chance inside row data or text.
     */
    static int plausibleStart(boolean frontend, byte[] b, int at, int available, int maxMessageBytes) {
        byte type = b[at];
        if (!frontend) {
            if (type == '1' || type == '2' || type == '3' || type == 'n' || type == 'I') {
                if (available < 5) {
                    return prefixMatches(b, at + 1, available - 1, EMPTY_LENGTH) ? UNDECIDED : NOT_A_START;
                }
                return prefixMatches(b, at + 1, 4, EMPTY_LENGTH) ? PLAUSIBLE : NOT_A_START;
            }
            if (type != 'Z') {
                return NOT_A_START;
            }
            if (available < 6) {
                return prefixMatches(b, at, available, READY_FOR_QUERY) ? UNDECIDED : NOT_A_START;
            }
            return b[at + 1] == 0 && b[at + 2] == 0 && b[at + 3] == 0 && b[at + 4] == 5
                    && (b[at + 5] == 'I' || b[at + 5] == 'T' || b[at + 5] == 'E') ? PLAUSIBLE : NOT_A_START;
        }
        if (type == 'S') {
            if (available < 5) {
                return prefixMatches(b, at, available, SYNC) ? UNDECIDED : NOT_A_START;
            }
            return b[at + 1] == 0 && b[at + 2] == 0 && b[at + 3] == 0 && b[at + 4] == 4 ? PLAUSIBLE : NOT_A_START;
        }
        if (type != 'Q' && type != 'P' && type != 'B') {
            return NOT_A_START;
        }
        if (available < 5) {
            return UNDECIDED;
        }
        int length = PgBytes.int32(b, at + 1);
        if (length < 5 || length + 1 > maxMessageBytes) {
            return NOT_A_START;
        }
        int end = at + 1 + length;
        int seen = Math.min(end, at + available);
        if (type == 'B') {
            return seen < end ? UNDECIDED : plausibleBind(b, at + 5, end);
        }
        // Parse: statement name, query, both NUL-terminated; Query: the text, NUL-terminated and last
        int textStart = at + 5;
        if (type == 'P') {
            int nameEnd = PgBytes.nul(b, textStart, seen);
            if (nameEnd < 0) {
                return seen == end ? NOT_A_START : UNDECIDED;
            }
            textStart = nameEnd + 1;
        }
        for (int i = textStart; i < seen; i++) {
            int c = b[i] & 0xFF;
            if (c == 0) {
                return type == 'Q' ? (i == end - 1 ? PLAUSIBLE : NOT_A_START) : (i > textStart ? PLAUSIBLE : NOT_A_START);
            }
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
                return NOT_A_START;
            }
        }
        return seen == end ? NOT_A_START : UNDECIDED;
    }

    /**
     * A whole Bind whose every field fits exactly: two printable names, format codes 0/1, parameter
     * values whose lengths add up, result format codes, ending on the message's last byte.
     */
    private static int plausibleBind(byte[] b, int i, int end) {
        for (int name = 0; name < 2; name++) {
            int nul = PgBytes.nul(b, i, end);
            if (nul < 0 || !printable(b, i, nul)) {
                return NOT_A_START;
            }
            i = nul + 1;
        }
        for (int section = 0; section < 3; section++) {
            if (i + 2 > end) {
                return NOT_A_START;
            }
            int count = PgBytes.int16(b, i);
            i += 2;
            for (int k = 0; k < count; k++) {
                if (section == 1) {
                    if (i + 4 > end) {
                        return NOT_A_START;
                    }
                    int length = PgBytes.int32(b, i);
                    i += 4 + Math.max(length, 0);
                    if (length < -1 || i > end) {
                        return NOT_A_START;
                    }
                } else {
                    if (i + 2 > end || PgBytes.int16(b, i) > 1) {
                        return NOT_A_START;
                    }
                    i += 2;
                }
            }
        }
        return i == end ? PLAUSIBLE : NOT_A_START;
    }

    private static boolean printable(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if ((b[i] & 0xFF) < 0x20) {
                return false;
            }
        }
        return true;
    }

    private static boolean prefixMatches(byte[] b, int at, int available, byte[] prefix) {
        for (int i = 0; i < available && i < prefix.length; i++) {
            if (b[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}

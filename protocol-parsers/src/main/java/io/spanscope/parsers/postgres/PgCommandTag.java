package io.spanscope.parsers.postgres;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The CommandComplete tag: the command name ({@code INSERT}, {@code CREATE TABLE} ...) and, for
 * commands that report one, the row count (the last number: {@code INSERT 0 5} is five rows).
 * Common command names are shared constants, so most tags cost no allocation; the exchange records them
 * by number (an int store, where a reference store into the long-lived exchange costs G1 a barrier).
 */
final class PgCommandTag {

    private static final String[] COMMON = {
        "SELECT", "INSERT", "UPDATE", "DELETE", "BEGIN", "COMMIT", "ROLLBACK", "START TRANSACTION", "SET",
        "COPY", "FETCH", "MOVE", "MERGE", "SHOW", "CREATE TABLE", "DROP TABLE", "LISTEN", "NOTIFY", "TRUNCATE TABLE",
        "SAVEPOINT", "RELEASE", "PREPARE", "EXECUTE", "DEALLOCATE", "DECLARE CURSOR", "CLOSE CURSOR", "VACUUM",
        "ANALYZE", "CREATE INDEX", "ALTER TABLE", "RESET", "DISCARD ALL", "DO", "CALL", "UNLISTEN"
    };
    /** {@link #COMMON} as bytes: a tag is compared in place, with no per-character decoding. */
    private static final byte[][] COMMON_BYTES = new byte[COMMON.length][];

    static {
        for (int i = 0; i < COMMON.length; i++) {
            COMMON_BYTES[i] = COMMON[i].getBytes(StandardCharsets.US_ASCII);
        }
    }

    private PgCommandTag() {
    }

    static void apply(PgExchange target, byte[] b, int from, int to) {
        int commandEnd = to;
        long rows = PgExchange.UNSET;
        int i = to;
        // trailing " <digits>" groups are counts: the last one is the rows
        while (i > from) {
            int j = i;
            while (j > from && b[j - 1] >= '0' && b[j - 1] <= '9') {
                j--;
            }
            if (j == i || j == from || b[j - 1] != ' ') {
                break;
            }
            if (rows == PgExchange.UNSET) {
                rows = parse(b, j, i);
            }
            commandEnd = j - 1;
            i = j - 1;
        }
        target.tagRows = rows;
        int common = commonIndex(b, from, commandEnd);
        if (common >= 0) {
            target.commonTag = common + 1;
            if (target.otherTag != null) {
                target.otherTag = null;
            }
        } else {
            target.commonTag = 0;
            target.otherTag = PgBytes.utf8(b, from, commandEnd);
        }
    }

    /** The command of a tag that {@link #apply} recorded as common ({@code commonTag} is index + 1). */
    static String common(int commonTag) {
        return COMMON[commonTag - 1];
    }

    private static long parse(byte[] b, int from, int to) {
        long value = 0;
        for (int i = from; i < to && i < from + 18; i++) {
            value = value * 10 + (b[i] - '0');
        }
        return value;
    }

    private static int commonIndex(byte[] b, int from, int to) {
        int length = to - from;
        for (int i = 0; i < COMMON_BYTES.length; i++) {
            byte[] common = COMMON_BYTES[i];
            if (common.length == length && common[0] == b[from]
                    && Arrays.equals(common, 0, length, b, from, to)) {
                return i;
            }
        }
        return -1;
    }
}

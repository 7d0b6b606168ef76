package io.spanscope.parsers.postgres;

import java.util.ArrayList;
import java.util.List;

/**
 * The parameter values of a Bind message: counted always, kept only when literal masking is off (then
 * text-format values as text, binary ones as hex, each cut at {@code maxParameterBytes}).
 */
final class PgBindParameters {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private PgBindParameters() {
    }

    /** Reads from just after the statement name to the end of the Bind body; never reads past {@code end}. */
    static void read(byte[] b, int at, int end, PgExchange group, boolean keep, int maxParameterBytes) {
        if (at + 2 > end) {
            return;
        }
        int formatCount = PgBytes.int16(b, at);
        int formats = at + 2;
        int i = formats + 2 * formatCount;
        if (i + 2 > end) {
            return;
        }
        int count = PgBytes.int16(b, i);
        i += 2;
        group.parameterCount = count;
        if (!keep) {
            return;
        }
        List<String> values = new ArrayList<>(count);
        for (int p = 0; p < count && i + 4 <= end; p++) {
            int length = PgBytes.int32(b, i);
            i += 4;
            if (length < 0) {
                values.add("NULL");
                continue;
            }
            if (i + length > end) {
                break;
            }
            int format = formatCount == 0 ? 0 : PgBytes.int16(b, formats + 2 * (formatCount == 1 ? 0 : Math.min(p, formatCount - 1)));
            int shown = Math.min(length, maxParameterBytes);
            values.add(format == 1 ? hex(b, i, shown) : PgBytes.utf8(b, i, i + shown));
            i += length;
        }
        group.parameters = List.copyOf(values);
    }

    private static String hex(byte[] b, int from, int length) {
        char[] out = new char[2 + 2 * length];
        out[0] = '\\';
        out[1] = 'x';
        for (int k = 0; k < length; k++) {
            out[2 + 2 * k] = HEX[(b[from + k] >> 4) & 0xF];
            out[3 + 2 * k] = HEX[b[from + k] & 0xF];
        }
        return new String(out);
    }
}

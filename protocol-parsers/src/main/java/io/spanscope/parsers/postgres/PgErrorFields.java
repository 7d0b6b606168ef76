package io.spanscope.parsers.postgres;

/**
 * The fields of an ErrorResponse: SQLSTATE ({@code C}), severity ({@code V}, unlocalised, else
 * {@code S}) and, when kept, the primary message ({@code M}). Detail, hint and the rest often quote row
 * values and are never read.
 */
final class PgErrorFields {

    private static final int MAX_MESSAGE_CHARS = 512;

    private PgErrorFields() {
    }

    static void read(byte[] b, int from, int end, PgExchange target, boolean keepMessage) {
        int i = from;
        while (i < end && b[i] != 0) {
            byte field = b[i];
            int valueEnd = PgBytes.nul(b, i + 1, end);
            if (valueEnd < 0) {
                return;
            }
            switch (field) {
                case 'C' -> target.sqlState = PgBytes.utf8(b, i + 1, valueEnd);
                case 'V' -> target.severity = PgBytes.utf8(b, i + 1, valueEnd);
                case 'S' -> {
                    if (target.severity == null) {
                        target.severity = PgBytes.utf8(b, i + 1, valueEnd);
                    }
                }
                case 'M' -> {
                    if (keepMessage) {
                        target.errorMessage = PgBytes.utf8(b, i + 1, Math.min(valueEnd, i + 1 + MAX_MESSAGE_CHARS));
                    }
                }
                default -> {
                }
            }
            i = valueEnd + 1;
        }
    }
}

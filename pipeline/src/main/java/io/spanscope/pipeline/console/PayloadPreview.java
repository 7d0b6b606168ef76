package io.spanscope.pipeline.console;

/**
 * Renders the start of a payload as text: non-printable bytes become '.', long payloads are cut with '…'.
 * For a terminal line, CR, LF, TAB, backslash and quote are escaped too; for JSON they are kept and the
 * JSON writer escapes them.
 */
public final class PayloadPreview {

    private PayloadPreview() {
    }

    /** For one terminal line. */
    public static String of(byte[] bytes, int offset, int length, int maxBytes) {
        return render(bytes, offset, length, maxBytes, true);
    }

    /** For a JSON string value. */
    public static String forJson(byte[] bytes, int offset, int length, int maxBytes) {
        return render(bytes, offset, length, maxBytes, false);
    }

    private static String render(byte[] bytes, int offset, int length, int maxBytes, boolean escape) {
        int n = Math.min(length, maxBytes);
        StringBuilder sb = new StringBuilder(n + 8);
        for (int i = 0; i < n; i++) {
            int b = bytes[offset + i] & 0xff;
            if (!escape && (b == '\r' || b == '\n' || b == '\t' || b == '\\' || b == '"')) {
                sb.append((char) b);
                continue;
            }
            switch (b) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                default -> {
                    if (b >= 0x20 && b < 0x7f) {
                        sb.append((char) b);
                    } else {
                        sb.append('.');
                    }
                }
            }
        }
        if (length > n) {
            sb.append('…');
        }
        return sb.toString();
    }
}

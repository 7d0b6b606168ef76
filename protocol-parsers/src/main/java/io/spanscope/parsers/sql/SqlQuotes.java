package io.spanscope.parsers.sql;

/** Quoted strings and identifiers in SQL text, as the database parsers' literal maskers meet them. */
public final class SqlQuotes {

    private SqlQuotes() {
    }

    /**
     * Where the quoted run whose body starts at {@code from} ends: just after its closing quote, or at the
     * end of the text when it is unterminated. A doubled quote is an escaped quote; with
     * {@code backslashEscapes} (MySQL, PostgreSQL E'' strings) a backslash escapes the next character.
     */
    public static int end(String sql, int from, char quote, boolean backslashEscapes) {
        int n = sql.length();
        int i = from;
        while (i < n) {
            char c = sql.charAt(i);
            if (backslashEscapes && c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < n && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return n;
    }
}

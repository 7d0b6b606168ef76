package io.spanscope.parsers.postgres;

import io.spanscope.parsers.sql.SqlQuotes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small SQL lexer for PostgreSQL's dialect, just enough to keep literals out of records and to name a
 * statement: string constants ({@code '..'} with {@code ''}, {@code E'..'} with backslash escapes,
 * {@code B'..'}, {@code X'..'}, {@code U&'..'}), dollar-quoted strings ({@code $tag$..$tag$}), numbers,
 * quoted identifiers, {@code --} and nested block comments. Never throws; unterminated constructs run to
 * the end of the text.
 */
final class SqlText {

    static final String MASK = "?";

    private SqlText() {
    }

    /** What a statement is: its (masked) text, first keyword and single target table, when plain. */
    record Summary(String text, String operation, String collection) {
    }

    /**
     * The statements of a simple-query string split at top-level semicolons (trimmed, without the
     * semicolon, empty ones dropped). A string holding one statement comes back whole, as sent.
     */
    static List<String> split(String sql) {
        List<String> parts = new ArrayList<>(2);
        int start = 0;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == ';') {
                addTrimmed(parts, sql, start, i);
                start = ++i;
            } else {
                i = skipToken(sql, i);
            }
        }
        addTrimmed(parts, sql, start, n);
        if (parts.size() <= 1) {
            return List.of(sql);
        }
        return parts;
    }

    private static void addTrimmed(List<String> parts, String sql, int from, int to) {
        String s = sql.substring(from, to).strip();
        if (!s.isEmpty()) {
            parts.add(s);
        }
    }

    /** Summarises a statement; with {@code mask} every literal becomes {@value #MASK}. */
    static Summary summarize(String sql, boolean mask) {
        StringBuilder out = mask ? new StringBuilder(sql.length()) : null;
        String operation = null;
        String collection = null;
        String previousWord = null;
        boolean sawFrom = false;
        boolean ambiguous = false;
        boolean lastWasCollection = false;
        boolean qualifying = false;
        int depth = 0;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            int next = skipToken(sql, i);
            if (isLiteralStart(sql, i)) {
                if (out != null) {
                    out.append(MASK);
                }
                i = next;
                continue;
            }
            if (isIdentifierStart(c) || c == '"') {
                String word = c == '"' ? unquote(sql, i, next) : sql.substring(i, next);
                if (qualifying) {
                    collection = collection + "." + word;
                    qualifying = false;
                    previousWord = "\"";
                } else if (c != '"') {
                    String upper = word.toUpperCase(Locale.ROOT);
                    if ("ONLY".equals(upper)) {
                        // UPDATE ONLY t, DELETE FROM ONLY t: the table follows
                        if (out != null) {
                            out.append(sql, i, next);
                        }
                        i = next;
                        continue;
                    }
                    if (operation == null && depth == 0) {
                        operation = upper;
                    } else if (depth == 0 && collection == null && previousWord != null
                            && isTableKeyword(operation, previousWord)) {
                        if (!isReserved(upper)) {
                            collection = word;
                        }
                    } else if (depth == 0 && collection != null && ("JOIN".equals(upper) || "USING".equals(upper))) {
                        ambiguous = true;
                    }
                    sawFrom |= "FROM".equals(upper);
                    previousWord = upper;
                } else {
                    if (depth == 0 && collection == null && previousWord != null && isTableKeyword(operation, previousWord)) {
                        collection = word;
                    }
                    previousWord = "\"";
                }
                lastWasCollection = word.equals(collection) || (collection != null && collection.endsWith("." + word));
            } else if (c == '.' && lastWasCollection && depth == 0 && next < n
                    && (isIdentifierStart(sql.charAt(next)) || sql.charAt(next) == '"')) {
                qualifying = true;
            } else if (c == '(') {
                lastWasCollection = false;
                depth++;
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
            } else if (c == ',' && depth == 0 && collection != null && sawFrom && "SELECT".equals(operation)) {
                ambiguous = true;
            }
            if (out != null) {
                out.append(sql, i, next);
            }
            i = next;
        }
        return new Summary(out != null ? out.toString() : sql, operation, ambiguous ? null : collection);
    }

    /** The word before a table name for the statement kinds whose target is plain to see. */
    private static boolean isTableKeyword(String operation, String previous) {
        if (operation == null) {
            return false;
        }
        return switch (operation) {
            case "SELECT", "DELETE" -> "FROM".equals(previous);
            case "INSERT", "MERGE" -> "INTO".equals(previous);
            case "UPDATE", "COPY", "TRUNCATE", "LOCK" -> operation.equals(previous) || "TABLE".equals(previous);
            default -> false;
        };
    }

    private static boolean isReserved(String upper) {
        return switch (upper) {
            case "ONLY", "TABLE", "LATERAL", "SELECT", "VALUES", "WHERE", "SET", "AS" -> true;
            default -> false;
        };
    }

    private static String unquote(String sql, int from, int to) {
        int end = to > from + 1 && sql.charAt(to - 1) == '"' ? to - 1 : to;
        return sql.substring(from + 1, end).replace("\"\"", "\"");
    }

    static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c > 0x7F;
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || (c >= '0' && c <= '9') || c == '$';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** A string constant (with its prefix), a dollar-quoted string or a number starts at {@code i}. */
    private static boolean isLiteralStart(String sql, int i) {
        char c = sql.charAt(i);
        if (c == '\'') {
            return true;
        }
        if (isDigit(c) || (c == '.' && i + 1 < sql.length() && isDigit(sql.charAt(i + 1)))) {
            return i == 0 || !isIdentifierPart(sql.charAt(i - 1));
        }
        if (c == '$') {
            return dollarTagEnd(sql, i) > 0;
        }
        return stringPrefixLength(sql, i) > 0;
    }

    /** Length of an {@code E}/{@code B}/{@code X}/{@code U&} prefix directly before a quote, else 0. */
    private static int stringPrefixLength(String sql, int i) {
        if (i > 0 && isIdentifierPart(sql.charAt(i - 1))) {
            return 0;
        }
        char c = Character.toUpperCase(sql.charAt(i));
        if ((c == 'E' || c == 'B' || c == 'X' || c == 'N') && i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
            return 1;
        }
        if (c == 'U' && i + 2 < sql.length() && sql.charAt(i + 1) == '&' && sql.charAt(i + 2) == '\'') {
            return 2;
        }
        return 0;
    }

    /** For {@code $tag$} starting at {@code i}: the index after the opening tag, else -1 ({@code $1} is a parameter). */
    private static int dollarTagEnd(String sql, int i) {
        int j = i + 1;
        if (j < sql.length() && isDigit(sql.charAt(j))) {
            return -1;
        }
        while (j < sql.length() && isIdentifierPart(sql.charAt(j)) && sql.charAt(j) != '$') {
            j++;
        }
        return j < sql.length() && sql.charAt(j) == '$' ? j + 1 : -1;
    }

    /** The index after the token starting at {@code i} (a literal, comment, quoted identifier, word or one char). */
    static int skipToken(String sql, int i) {
        int n = sql.length();
        char c = sql.charAt(i);
        int prefix = stringPrefixLength(sql, i);
        if (c == '\'' || prefix > 0) {
            boolean backslashEscapes = prefix == 1 && Character.toUpperCase(c) == 'E';
            return SqlQuotes.end(sql, i + prefix + 1, '\'', backslashEscapes);
        }
        if (c == '"') {
            return SqlQuotes.end(sql, i + 1, '"', false);
        }
        if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
            int eol = sql.indexOf('\n', i);
            return eol < 0 ? n : eol + 1;
        }
        if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
            return endOfBlockComment(sql, i + 2);
        }
        if (c == '$') {
            int tagEnd = dollarTagEnd(sql, i);
            if (tagEnd > 0) {
                int close = sql.indexOf(sql.substring(i, tagEnd), tagEnd);
                return close < 0 ? n : close + (tagEnd - i);
            }
        }
        if (isDigit(c) || (c == '.' && i + 1 < n && isDigit(sql.charAt(i + 1)))) {
            int j = i;
            while (j < n && (isIdentifierPart(sql.charAt(j)) || sql.charAt(j) == '.'
                    || ((sql.charAt(j) == '+' || sql.charAt(j) == '-') && (sql.charAt(j - 1) == 'e' || sql.charAt(j - 1) == 'E')))) {
                j++;
            }
            return j;
        }
        if (isIdentifierStart(c)) {
            int j = i + 1;
            while (j < n && isIdentifierPart(sql.charAt(j))) {
                j++;
            }
            return j;
        }
        return i + 1;
    }

    private static int endOfBlockComment(String sql, int from) {
        int depth = 1;
        int n = sql.length();
        int i = from;
        while (i < n - 1) {
            if (sql.charAt(i) == '/' && sql.charAt(i + 1) == '*') {
                depth++;
                i += 2;
            } else if (sql.charAt(i) == '*' && sql.charAt(i + 1) == '/') {
                if (--depth == 0) {
                    return i + 2;
                }
                i += 2;
            } else {
                i++;
            }
        }
        return n;
    }
}

package io.spanscope.parsers.mysql;

import io.spanscope.parsers.sql.SqlQuotes;
import java.util.Locale;

/**
 * What a record says about one SQL text: the text (literals masked unless configured otherwise), its
 * operation (first keyword, upper case) and the table it targets when that is simple to tell. Immutable.
 *
 * @param collection the table of a single-table SELECT/INSERT/REPLACE/UPDATE/DELETE or table DDL, else null
 * @param truncated the text was longer than the inspect limit and is cut
 */
record SqlStatement(String text, String operation, String collection, boolean truncated) {

    /**
     * Analyses SQL bytes (UTF-8). Literal masking: quoted strings ('..', "..") and numbers not part of
     * an identifier become {@code ?}; identifiers (also `quoted`), keywords and comments stay.
     */
    static SqlStatement of(byte[] sql, int offset, int length, boolean maskLiterals, boolean truncated) {
        String raw = new String(sql, offset, length, java.nio.charset.StandardCharsets.UTF_8);
        String text = maskLiterals ? mask(raw) : raw;
        String operation = firstKeyword(text);
        return new SqlStatement(text, operation, collection(text, operation), truncated);
    }

    static String mask(String sql) {
        return mask(sql, true);
    }

    /** Masks quoted strings only (error messages: their numbers are positions and counts, not data). */
    static String maskQuoted(String message) {
        return mask(message, false);
    }

    private static String mask(String sql, boolean numbers) {
        StringBuilder out = new StringBuilder(sql.length());
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (!numbers && c == '\'' && isContraction(sql, i)) {
                out.append(c);
                i++;
            } else if (c == '\'' || c == '"') {
                i = SqlQuotes.end(sql, i + 1, c, true);
                dropLiteralPrefix(out);
                out.append('?');
            } else if (c == '`') {
                int end = sql.indexOf('`', i + 1);
                end = end < 0 ? n : end + 1;
                out.append(sql, i, end);
                i = end;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-' || c == '#') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                out.append(sql, i, end);
                i = end;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                out.append(sql, i, end);
                i = end;
            } else if (numbers && isDigit(c) && !continuesIdentifier(out)) {
                i = skipNumber(sql, i);
                out.append('?');
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The apostrophe of "doesn't" in a message, not a quote. */
    private static boolean isContraction(String s, int i) {
        return i > 0 && i + 1 < s.length() && Character.isLetter(s.charAt(i - 1)) && Character.isLetter(s.charAt(i + 1));
    }

    /** X'..', B'..', N'..' and _charset'..' introducers belong to the literal. */
    private static void dropLiteralPrefix(StringBuilder out) {
        int len = out.length();
        if (len == 0) {
            return;
        }
        char p = Character.toUpperCase(out.charAt(len - 1));
        boolean single = (p == 'X' || p == 'B' || p == 'N') && (len == 1 || !isIdentifierChar(out.charAt(len - 2)));
        if (single) {
            out.setLength(len - 1);
        }
    }

    private static int skipNumber(String sql, int start) {
        int i = start;
        int n = sql.length();
        if (sql.charAt(i) == '0' && i + 1 < n && (sql.charAt(i + 1) == 'x' || sql.charAt(i + 1) == 'b')) {
            i += 2;
        }
        while (i < n) {
            char c = sql.charAt(i);
            if (isDigit(c) || c == '.' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
                i++;
            } else if ((c == '+' || c == '-') && (sql.charAt(i - 1) == 'e' || sql.charAt(i - 1) == 'E')) {
                i++;
            } else {
                break;
            }
        }
        return i;
    }

    private static boolean continuesIdentifier(StringBuilder out) {
        return out.length() > 0 && isIdentifierChar(out.charAt(out.length() - 1));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentifierChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static String firstKeyword(String text) {
        int i = skipSpaceAndComments(text, 0);
        while (i < text.length() && text.charAt(i) == '(') {
            i = skipSpaceAndComments(text, i + 1);
        }
        int start = i;
        while (i < text.length() && Character.isLetter(text.charAt(i))) {
            i++;
        }
        return i > start && i - start <= 32 ? text.substring(start, i).toUpperCase(Locale.ROOT) : null;
    }

    private static int skipSpaceAndComments(String text, int from) {
        int i = from;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '#' || c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                int end = text.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else {
                break;
            }
        }
        return i;
    }

    private static String collection(String text, String operation) {
        if (operation == null) {
            return null;
        }
        String[] words = text.split("[\\s(),;]+", 64);
        String after = switch (operation) {
            case "SELECT", "DELETE" -> "FROM";
            case "INSERT", "REPLACE" -> "INTO";
            case "UPDATE" -> "UPDATE";
            case "CREATE", "DROP", "ALTER", "TRUNCATE" -> "TABLE";
            default -> null;
        };
        if (after == null) {
            return null;
        }
        for (int w = 0; w < words.length - 1; w++) {
            if (!words[w].equalsIgnoreCase(after)) {
                continue;
            }
            int t = w + 1;
            while (t < words.length && isModifier(words[t])) {
                t++;
            }
            if (t < words.length && isTableName(words[t]) && !words[t].equalsIgnoreCase("SELECT")) {
                return words[t].replace("`", "");
            }
            return null;
        }
        return null;
    }

    private static boolean isModifier(String word) {
        return switch (word.toUpperCase(Locale.ROOT)) {
            case "LOW_PRIORITY", "IGNORE", "IF", "NOT", "EXISTS", "QUICK", "DELAYED", "HIGH_PRIORITY", "TEMPORARY" -> true;
            default -> false;
        };
    }

    private static boolean isTableName(String word) {
        if (word.isEmpty() || word.length() > 128 || word.equals("?")) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (!isIdentifierChar(c) && c != '.' && c != '`') {
                return false;
            }
        }
        return true;
    }
}

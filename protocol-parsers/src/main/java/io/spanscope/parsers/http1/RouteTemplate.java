package io.spanscope.parsers.http1;

/**
 * A low-cardinality route from a concrete path, for {@code http.route}: segments that look like
 * identifiers are replaced by placeholders so that {@code /users/42/orders/9f1c...} and
 * {@code /users/7/orders/0a3e...} share {@code /users/{id}/orders/{uuid}}. The query is not part of it.
 * Returns the path itself (no allocation) when no segment changes.
 */
public final class RouteTemplate {

    static final String ID = "{id}";
    static final String UUID = "{uuid}";
    static final String HASH = "{hash}";
    static final String TOKEN = "{token}";

    private static final int MIN_HASH_LENGTH = 16;
    private static final int MIN_TOKEN_LENGTH = 20;

    private RouteTemplate() {
    }

    public static String of(String path) {
        if (path == null || path.isEmpty()) {
            return path;
        }
        StringBuilder route = null;
        int segmentStart = 0;
        int length = path.length();
        for (int i = 0; i <= length; i++) {
            if (i < length && path.charAt(i) != '/') {
                continue;
            }
            String placeholder = i > segmentStart ? placeholder(path, segmentStart, i) : null;
            if (placeholder != null && route == null) {
                route = new StringBuilder(length).append(path, 0, segmentStart);
            }
            if (route != null) {
                if (placeholder != null) {
                    route.append(placeholder);
                } else {
                    route.append(path, segmentStart, i);
                }
                if (i < length) {
                    route.append('/');
                }
            }
            segmentStart = i + 1;
        }
        return route == null ? path : route.toString();
    }

    /** The placeholder for {@code path[from, to)}, or null to keep the segment. */
    static String placeholder(String path, int from, int to) {
        int length = to - from;
        int digits = 0;
        int hex = 0;
        int letters = 0;
        int tokenChars = 0;
        for (int i = from; i < to; i++) {
            char c = path.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
                hex++;
            } else if (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
                hex++;
                letters++;
            } else if (c >= 'g' && c <= 'z' || c >= 'G' && c <= 'Z') {
                letters++;
            } else if (c == '-' || c == '_' || c == '=' || c == '.' || c == '~' || c == '+' || c == '%') {
                tokenChars++;
            } else {
                return null;
            }
        }
        if (digits == length) {
            return ID;
        }
        if (length == 36 && isUuid(path, from)) {
            return UUID;
        }
        if (hex == length && length >= MIN_HASH_LENGTH) {
            return HASH;
        }
        if (length >= MIN_TOKEN_LENGTH && digits > 0 && letters > 0 && tokenChars <= length / 8) {
            return TOKEN;
        }
        return null;
    }

    private static boolean isUuid(String s, int from) {
        for (int k = 0; k < 36; k++) {
            char c = s.charAt(from + k);
            boolean dash = k == 8 || k == 13 || k == 18 || k == 23;
            if (dash ? c != '-' : Character.digit(c, 16) < 0) {
                return false;
            }
        }
        return true;
    }
}

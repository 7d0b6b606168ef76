package io.spanscope.parsers.http1;

import io.spanscope.parsers.ParserConfig;

import java.util.Set;

/**
 * The configured headers that become attributes, prepared once per configuration: lower-case byte
 * names to match without allocating, their attribute keys, and whether each is redacted.
 */
final class HeaderSelection {

    final ParserConfig config;
    final Side request;
    final Side response;

    private HeaderSelection(ParserConfig config) {
        this.config = config;
        this.request = new Side("http.request.header.", config.capturedRequestHeaders(), config);
        this.response = new Side("http.response.header.", config.capturedResponseHeaders(), config);
    }

    static HeaderSelection of(ParserConfig config) {
        return new HeaderSelection(config);
    }

    static final class Side {
        final byte[][] names;
        final String[] lowerNames;
        final String[] attributeKeys;
        final boolean[] redacted;

        Side(String prefix, Set<String> selected, ParserConfig config) {
            int n = selected.size();
            names = new byte[n][];
            lowerNames = new String[n];
            attributeKeys = new String[n];
            redacted = new boolean[n];
            int i = 0;
            for (String name : selected) {
                names[i] = Ascii.bytes(name);
                lowerNames[i] = name;
                attributeKeys[i] = prefix + name;
                redacted[i] = config.isRedacted(name);
                i++;
            }
        }

        /** Index of the selected header with this name, or -1. */
        int indexOf(byte[] b, int from, int to) {
            for (int i = 0; i < names.length; i++) {
                if (Ascii.equalsLowerCase(b, from, to - from, names[i])) {
                    return i;
                }
            }
            return -1;
        }
    }
}

package io.spanscope.parsers.postgres;

import io.spanscope.parsers.record.Attributes;

/**
 * A statement text as the client sent it (in a Query or Parse), with its summary made once: clients
 * send the same few texts over and over, so the lexing and masking are cached per text.
 */
final class PgStatement {

    final byte[] bytes;
    final int hash;
    final String text;
    /** The text holds a NUL (a malformed Query): it can never be the exact text of a Parse. */
    final boolean containsNul;
    private SqlText.Summary summary;
    private final boolean mask;

    /** The attributes of this statement's last plain execution, and the outcome they describe. */
    Attributes lastAttributes;
    String lastTag;
    long lastRows;
    int lastParameterCount;
    String lastStatementName;

    PgStatement(byte[] bytes, int hash, String text, boolean mask) {
        this.bytes = bytes;
        this.hash = hash;
        this.text = text;
        this.containsNul = PgBytes.nul(bytes, 0, bytes.length) >= 0;
        this.mask = mask;
    }

    SqlText.Summary summary() {
        if (summary == null) {
            summary = SqlText.summarize(text, mask);
        }
        return summary;
    }
}

package io.spanscope.parsers.postgres;

/**
 * A statement text as the client sent it (in a Query or Parse), with its summary made once: clients
 * send the same few texts over and over, so the lexing and masking are cached per text.
 */
final class PgStatement {

    final byte[] bytes;
    final int hash;
    final String text;
    private SqlText.Summary summary;
    private final boolean mask;

    PgStatement(byte[] bytes, int hash, String text, boolean mask) {
        this.bytes = bytes;
        this.hash = hash;
        this.text = text;
        this.mask = mask;
    }

    SqlText.Summary summary() {
        if (summary == null) {
            summary = SqlText.summarize(text, mask);
        }
        return summary;
    }
}

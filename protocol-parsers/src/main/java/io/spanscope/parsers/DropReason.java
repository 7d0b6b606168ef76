package io.spanscope.parsers;

/** Why bytes, messages or connections were given up; each occurrence is counted in {@link ParserStats}. */
public enum DropReason {
    /** A connection was evicted to make room under {@link ParserConfig#maxConnections()}. */
    CONNECTION_LIMIT,
    /** Held out-of-order chunks exceeded their bound; the missing range was declared a gap. */
    OUT_OF_ORDER_LIMIT,
    /** Unparsed bytes of one direction exceeded {@link ParserConfig#maxBufferedBytesPerDirection()}. */
    DIRECTION_BUFFER_LIMIT,
    /** The tracker-wide budget {@link ParserConfig#maxTotalBufferedBytes()} refused more bytes. */
    TOTAL_BUFFER_LIMIT,
    /** Too many requests waited for responses; the oldest was recorded as missing its response. */
    PENDING_REQUEST_LIMIT,
    /** A header block exceeded the size or count limit. */
    HEADER_LIMIT,
    /** A response with no request to pair it with (request lost in a gap or before capture). */
    UNPAIRED_RESPONSE,
    /** A connection's bytes matched no protocol. */
    UNKNOWN_PROTOCOL,
    /** A handler threw; the connection's remaining bytes are counted, not parsed. */
    HANDLER_FAILURE,
    /**
     * A PostgreSQL message that is parsed for its content was larger than
     * {@link ParserConfig#maxPostgresMessageBytes()}: stepped over by length, its exchange flagged.
     */
    POSTGRES_MESSAGE_LIMIT,
    /**
     * A connection switched to encryption in-band (PostgreSQL SSLRequest or GSSENCRequest accepted): its
     * socket bytes are ciphertext from then on, counted and not parsed; TLS capture, when on, delivers
     * the plaintext.
     */
    ENCRYPTED_SESSION,
    /** A named prepared statement or portal was forgotten under {@link ParserConfig#maxPreparedStatementsPerConnection()}. */
    PREPARED_STATEMENT_LIMIT
}

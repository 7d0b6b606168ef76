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
    /** A MySQL client sent an SSL request: the connection continues as TLS, its socket bytes are only counted. */
    MYSQL_TLS,
    /** A MySQL connection negotiated the compressed protocol: its bytes after login are only counted. */
    MYSQL_COMPRESSED,
    /** A MySQL server packet carried an unexpected sequence id: packets were lost or the pairing slipped. */
    MYSQL_SEQUENCE_MISMATCH,
    /** A MySQL packet was longer than {@link ParserConfig#mysqlInspectBytes()}: the rest was stepped over. */
    MYSQL_PACKET_TRUNCATED,
    /** {@link ParserConfig#mysqlMaxPreparedStatements()} was reached; the least recently used statement was forgotten. */
    MYSQL_STATEMENT_LIMIT,
    /** A MySQL statement executed or referenced was prepared before capture began (or forgotten): id only. */
    MYSQL_UNKNOWN_STATEMENT,
    /** A MySQL login was refused by the server (no record: no command ran). */
    MYSQL_LOGIN_FAILED,
    /** HTTP/2: a frame broke the framing rules (Netty refused it, or no preface); it was skipped. */
    HTTP2_MALFORMED_FRAME,
    /** HTTP/2: a frame larger than a direction's buffer; its payload was skipped without being inspected. */
    HTTP2_OVERSIZED_FRAME,
    /**
     * HPACK: a header field referred to a dynamic-table entry added before capture joined (or before a
     * gap); its name or value is unknown and missing from the record.
     */
    HPACK_UNKNOWN_FIELD,
    /** HTTP/2: a stream's frames whose request was never seen (opened before capture joined). */
    HTTP2_UNKNOWN_STREAM,
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

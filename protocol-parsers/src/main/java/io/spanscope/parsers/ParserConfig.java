package io.spanscope.parsers;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Limits and capture choices of the parsers, immutable. Every limit bounds memory or work per
 * connection or per tracker; what exceeds one is counted in {@link ParserStats} and dropped.
 */
public final class ParserConfig {

    /** Headers whose values never leave the parser, whatever else is configured. */
    public static final Set<String> ALWAYS_REDACTED = Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(
            "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key")));

    public static final String REDACTED = "[REDACTED]";

    private final int maxConnections;
    private final long idleTimeoutNs;
    private final int maxBufferedBytesPerDirection;
    private final int maxOutOfOrderBytesPerDirection;
    private final int maxOutOfOrderChunksPerDirection;
    private final long maxTotalBufferedBytes;
    private final int maxPendingRequestsPerConnection;
    private final int maxHeaderBytes;
    private final int maxHeaderCount;
    private final int maxDetectionBytes;
    private final int maxJoinScanBytes;
    private final int bodyCaptureBytes;
    private final int mysqlInspectBytes;
    private final int mysqlMaxPreparedStatements;
    private final int maxHeaderTableBytes;
    private final long streamReportIntervalNs;
    private final Set<String> redactedHeaders;
    private final Set<String> capturedRequestHeaders;
    private final Set<String> capturedResponseHeaders;
    private final boolean maskSqlLiterals;
    private final int maxSqlParameterBytes;
    private final int maxPostgresMessageBytes;
    private final int maxPreparedStatementsPerConnection;

    private ParserConfig(Builder b) {
        this.maxConnections = b.maxConnections;
        this.idleTimeoutNs = b.idleTimeoutNs;
        this.maxBufferedBytesPerDirection = b.maxBufferedBytesPerDirection;
        this.maxOutOfOrderBytesPerDirection = b.maxOutOfOrderBytesPerDirection;
        this.maxOutOfOrderChunksPerDirection = b.maxOutOfOrderChunksPerDirection;
        this.maxTotalBufferedBytes = b.maxTotalBufferedBytes;
        this.maxPendingRequestsPerConnection = b.maxPendingRequestsPerConnection;
        this.maxHeaderBytes = b.maxHeaderBytes;
        this.maxHeaderCount = b.maxHeaderCount;
        this.maxDetectionBytes = b.maxDetectionBytes;
        this.maxJoinScanBytes = b.maxJoinScanBytes;
        this.bodyCaptureBytes = b.bodyCaptureBytes;
        this.mysqlInspectBytes = b.mysqlInspectBytes;
        this.mysqlMaxPreparedStatements = b.mysqlMaxPreparedStatements;
        this.maxHeaderTableBytes = b.maxHeaderTableBytes;
        this.streamReportIntervalNs = b.streamReportIntervalNs;
        Set<String> redacted = new LinkedHashSet<>(ALWAYS_REDACTED);
        redacted.addAll(b.redactedHeaders);
        this.redactedHeaders = Collections.unmodifiableSet(redacted);
        this.capturedRequestHeaders = Collections.unmodifiableSet(new LinkedHashSet<>(b.capturedRequestHeaders));
        this.capturedResponseHeaders = Collections.unmodifiableSet(new LinkedHashSet<>(b.capturedResponseHeaders));
        this.maskSqlLiterals = b.maskSqlLiterals;
        this.maxSqlParameterBytes = b.maxSqlParameterBytes;
        this.maxPostgresMessageBytes = b.maxPostgresMessageBytes;
        this.maxPreparedStatementsPerConnection = b.maxPreparedStatementsPerConnection;
    }

    public static ParserConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxConnections = maxConnections;
        b.idleTimeoutNs = idleTimeoutNs;
        b.maxBufferedBytesPerDirection = maxBufferedBytesPerDirection;
        b.maxOutOfOrderBytesPerDirection = maxOutOfOrderBytesPerDirection;
        b.maxOutOfOrderChunksPerDirection = maxOutOfOrderChunksPerDirection;
        b.maxTotalBufferedBytes = maxTotalBufferedBytes;
        b.maxPendingRequestsPerConnection = maxPendingRequestsPerConnection;
        b.maxHeaderBytes = maxHeaderBytes;
        b.maxHeaderCount = maxHeaderCount;
        b.maxDetectionBytes = maxDetectionBytes;
        b.maxJoinScanBytes = maxJoinScanBytes;
        b.bodyCaptureBytes = bodyCaptureBytes;
        b.mysqlInspectBytes = mysqlInspectBytes;
        b.mysqlMaxPreparedStatements = mysqlMaxPreparedStatements;
        b.maxHeaderTableBytes = maxHeaderTableBytes;
        b.streamReportIntervalNs = streamReportIntervalNs;
        b.redactedHeaders.addAll(redactedHeaders);
        b.capturedRequestHeaders.clear();
        b.capturedRequestHeaders.addAll(capturedRequestHeaders);
        b.capturedResponseHeaders.clear();
        b.capturedResponseHeaders.addAll(capturedResponseHeaders);
        b.maskSqlLiterals = maskSqlLiterals;
        b.maxSqlParameterBytes = maxSqlParameterBytes;
        b.maxPostgresMessageBytes = maxPostgresMessageBytes;
        b.maxPreparedStatementsPerConnection = maxPreparedStatementsPerConnection;
        return b;
    }

    /** Connections tracked at once per tracker; the least recently active one is evicted beyond it. */
    public int maxConnections() {
        return maxConnections;
    }

    /** A connection without events for this long (source clock) is evicted by {@code evictIdle}. */
    public long idleTimeoutNs() {
        return idleTimeoutNs;
    }

    /** Unparsed bytes (an incomplete header block) kept per direction. */
    public int maxBufferedBytesPerDirection() {
        return maxBufferedBytesPerDirection;
    }

    /** Bytes of chunks that arrived ahead of a missing range, held per direction while waiting for it. */
    public int maxOutOfOrderBytesPerDirection() {
        return maxOutOfOrderBytesPerDirection;
    }

    public int maxOutOfOrderChunksPerDirection() {
        return maxOutOfOrderChunksPerDirection;
    }

    /** All buffered and held bytes of one tracker together. */
    public long maxTotalBufferedBytes() {
        return maxTotalBufferedBytes;
    }

    /** Requests waiting for their responses on one connection (pipelining depth). */
    public int maxPendingRequestsPerConnection() {
        return maxPendingRequestsPerConnection;
    }

    /** Size of a start line plus header block (and of a trailer block). */
    public int maxHeaderBytes() {
        return maxHeaderBytes;
    }

    public int maxHeaderCount() {
        return maxHeaderCount;
    }

    /** Bytes per direction looked at before a connection's protocol is declared unknown. */
    public int maxDetectionBytes() {
        return maxDetectionBytes;
    }

    /** Bytes scanned for a message boundary on a connection joined mid-stream before giving up. */
    public int maxJoinScanBytes() {
        return maxJoinScanBytes;
    }

    /** Body bytes kept per message; sizes are counted regardless. 0 keeps none. */
    public int bodyCaptureBytes() {
        return bodyCaptureBytes;
    }

    /**
     * Payload bytes of one MySQL packet the parser looks at (commands with their SQL, OK/ERR, prepare
     * responses); the rest is stepped over by length and the record flagged. Rows are never inspected.
     */
    public int mysqlInspectBytes() {
        return mysqlInspectBytes;
    }

    /** Prepared statements remembered per MySQL connection (id to SQL); least recently used beyond it forgotten. */
    public int mysqlMaxPreparedStatements() {
        return mysqlMaxPreparedStatements;
    }

    /**
     * HTTP/2: the largest HPACK dynamic table a decoder keeps per direction (what a peer may announce
     * with SETTINGS_HEADER_TABLE_SIZE and a table size update); bounds HPACK memory per connection.
     */
    public int maxHeaderTableBytes() {
        return maxHeaderTableBytes;
    }

    /**
     * HTTP/2 and gRPC: an open stream (a long streaming call) reports a partial record each time this
     * much time has passed since its start or its last report; the final record follows when it ends.
     */
    public long streamReportIntervalNs() {
        return streamReportIntervalNs;
    }

    /** Lower-case header names whose captured values are replaced by {@link #REDACTED}. */
    public Set<String> redactedHeaders() {
        return redactedHeaders;
    }

    /** Lower-case request header names recorded as {@code http.request.header.<name>} attributes. */
    public Set<String> capturedRequestHeaders() {
        return capturedRequestHeaders;
    }

    public Set<String> capturedResponseHeaders() {
        return capturedResponseHeaders;
    }

    /**
     * Whether SQL literals are kept out of records (default true), for every SQL protocol (PostgreSQL,
     * MySQL): literals in query texts become {@code ?}, bound and executed parameter values are not
     * recorded, database error messages (which quote values) are left out (PostgreSQL) or have their
     * quoted values masked (MySQL). When false, texts are recorded as sent, parameter values as
     * {@code db.query.parameter.<index>}, and error messages as the server wrote them.
     */
    public boolean maskSqlLiterals() {
        return maskSqlLiterals;
    }

    /** Bytes of one bound parameter value kept (only when {@link #maskSqlLiterals()} is off). */
    public int maxSqlParameterBytes() {
        return maxSqlParameterBytes;
    }

    /**
     * Largest PostgreSQL message whose content is parsed (queries, Parse, Bind, errors); bigger ones
     * are stepped over by length and counted. Bounds what a connection buffers for one message; the
     * parser also never asks for more than {@link #maxBufferedBytesPerDirection()}.
     */
    public int maxPostgresMessageBytes() {
        return maxPostgresMessageBytes;
    }

    /** Named prepared statements (and, separately, named portals) remembered per PostgreSQL connection. */
    public int maxPreparedStatementsPerConnection() {
        return maxPreparedStatementsPerConnection;
    }

    public boolean isRedacted(String lowerCaseHeaderName) {
        return redactedHeaders.contains(lowerCaseHeaderName);
    }

    /** Mutable; {@link #build()} validates and copies. */
    public static final class Builder {
        private int maxConnections = 65_536;
        private long idleTimeoutNs = 300_000_000_000L;
        private int maxBufferedBytesPerDirection = 128 * 1024;
        private int maxOutOfOrderBytesPerDirection = 256 * 1024;
        private int maxOutOfOrderChunksPerDirection = 64;
        private long maxTotalBufferedBytes = 256L * 1024 * 1024;
        private int maxPendingRequestsPerConnection = 256;
        private int maxHeaderBytes = 64 * 1024;
        private int maxHeaderCount = 256;
        private int maxDetectionBytes = 1024;
        private int maxJoinScanBytes = 1024 * 1024;
        private int bodyCaptureBytes = 0;
        private int mysqlInspectBytes = 64 * 1024;
        private int mysqlMaxPreparedStatements = 4096;
        private int maxHeaderTableBytes = 64 * 1024;
        private long streamReportIntervalNs = 60_000_000_000L;
        private final Set<String> redactedHeaders = new LinkedHashSet<>();
        private final Set<String> capturedRequestHeaders = new LinkedHashSet<>(Set.of("content-type"));
        private final Set<String> capturedResponseHeaders = new LinkedHashSet<>(Set.of("content-type"));
        private boolean maskSqlLiterals = true;
        private int maxSqlParameterBytes = 256;
        private int maxPostgresMessageBytes = 64 * 1024;
        private int maxPreparedStatementsPerConnection = 1024;

        private Builder() {
        }

        public Builder maxConnections(int value) {
            this.maxConnections = positive(value, "maxConnections");
            return this;
        }

        public Builder idleTimeoutNs(long value) {
            if (value <= 0) {
                throw new IllegalArgumentException("idleTimeoutNs must be positive: " + value);
            }
            this.idleTimeoutNs = value;
            return this;
        }

        public Builder maxBufferedBytesPerDirection(int value) {
            this.maxBufferedBytesPerDirection = positive(value, "maxBufferedBytesPerDirection");
            return this;
        }

        public Builder maxOutOfOrderBytesPerDirection(int value) {
            this.maxOutOfOrderBytesPerDirection = nonNegative(value, "maxOutOfOrderBytesPerDirection");
            return this;
        }

        public Builder maxOutOfOrderChunksPerDirection(int value) {
            this.maxOutOfOrderChunksPerDirection = nonNegative(value, "maxOutOfOrderChunksPerDirection");
            return this;
        }

        public Builder maxTotalBufferedBytes(long value) {
            if (value <= 0) {
                throw new IllegalArgumentException("maxTotalBufferedBytes must be positive: " + value);
            }
            this.maxTotalBufferedBytes = value;
            return this;
        }

        public Builder maxPendingRequestsPerConnection(int value) {
            this.maxPendingRequestsPerConnection = positive(value, "maxPendingRequestsPerConnection");
            return this;
        }

        public Builder maxHeaderBytes(int value) {
            this.maxHeaderBytes = atLeast(value, 256, "maxHeaderBytes");
            return this;
        }

        public Builder maxHeaderCount(int value) {
            this.maxHeaderCount = positive(value, "maxHeaderCount");
            return this;
        }

        public Builder maxDetectionBytes(int value) {
            this.maxDetectionBytes = atLeast(value, 32, "maxDetectionBytes");
            return this;
        }

        public Builder maxJoinScanBytes(int value) {
            this.maxJoinScanBytes = nonNegative(value, "maxJoinScanBytes");
            return this;
        }

        public Builder bodyCaptureBytes(int value) {
            this.bodyCaptureBytes = nonNegative(value, "bodyCaptureBytes");
            return this;
        }

        public Builder mysqlInspectBytes(int value) {
            this.mysqlInspectBytes = atLeast(value, 256, "mysqlInspectBytes");
            return this;
        }

        public Builder mysqlMaxPreparedStatements(int value) {
            this.mysqlMaxPreparedStatements = positive(value, "mysqlMaxPreparedStatements");
            return this;
        }

        public Builder maxHeaderTableBytes(int value) {
            this.maxHeaderTableBytes = nonNegative(value, "maxHeaderTableBytes");
            return this;
        }

        public Builder streamReportIntervalNs(long value) {
            if (value <= 0) {
                throw new IllegalArgumentException("streamReportIntervalNs must be positive: " + value);
            }
            this.streamReportIntervalNs = value;
            return this;
        }

        /** Adds header names to redact on top of {@link #ALWAYS_REDACTED}. */
        public Builder redactHeaders(Collection<String> names) {
            names.forEach(n -> redactedHeaders.add(n.toLowerCase(Locale.ROOT)));
            return this;
        }

        /** Replaces the set of request headers recorded as attributes. */
        public Builder captureRequestHeaders(Collection<String> names) {
            capturedRequestHeaders.clear();
            names.forEach(n -> capturedRequestHeaders.add(n.toLowerCase(Locale.ROOT)));
            return this;
        }

        /** Replaces the set of response headers recorded as attributes. */
        public Builder captureResponseHeaders(Collection<String> names) {
            capturedResponseHeaders.clear();
            names.forEach(n -> capturedResponseHeaders.add(n.toLowerCase(Locale.ROOT)));
            return this;
        }

        public Builder maskSqlLiterals(boolean value) {
            this.maskSqlLiterals = value;
            return this;
        }

        public Builder maxSqlParameterBytes(int value) {
            this.maxSqlParameterBytes = nonNegative(value, "maxSqlParameterBytes");
            return this;
        }

        public Builder maxPostgresMessageBytes(int value) {
            this.maxPostgresMessageBytes = atLeast(value, 1024, "maxPostgresMessageBytes");
            return this;
        }

        public Builder maxPreparedStatementsPerConnection(int value) {
            this.maxPreparedStatementsPerConnection = positive(value, "maxPreparedStatementsPerConnection");
            return this;
        }

        public ParserConfig build() {
            if (maxBufferedBytesPerDirection < maxHeaderBytes) {
                throw new IllegalArgumentException("maxBufferedBytesPerDirection (" + maxBufferedBytesPerDirection
                        + ") must hold a whole header block of maxHeaderBytes (" + maxHeaderBytes + ")");
            }
            if (maxBufferedBytesPerDirection < mysqlInspectBytes + 4) {
                throw new IllegalArgumentException("maxBufferedBytesPerDirection (" + maxBufferedBytesPerDirection
                        + ") must hold a whole inspected MySQL packet of mysqlInspectBytes (" + mysqlInspectBytes + ") + 4");
            }
            return new ParserConfig(this);
        }

        private static int positive(int value, String name) {
            return atLeast(value, 1, name);
        }

        private static int nonNegative(int value, String name) {
            return atLeast(value, 0, name);
        }

        private static int atLeast(int value, int min, String name) {
            if (value < min) {
                throw new IllegalArgumentException(name + " must be at least " + min + ": " + value);
            }
            return value;
        }
    }
}

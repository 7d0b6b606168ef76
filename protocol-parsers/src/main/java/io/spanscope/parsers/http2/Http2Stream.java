package io.spanscope.parsers.http2;

import io.spanscope.parsers.stream.ChunkOrigin;

/**
 * What is known about one stream (one exchange) while it is open. Mutable, owned by its handler, which
 * reuses the object of a recorded stream for the next one ({@link #reset}): every field must be reset there.
 */
final class Http2Stream {

    int id;
    final Side request = new Side();
    final Side response = new Side();
    String method;
    String authority;
    String path;
    String requestContentType;
    String userAgent;
    String responseContentType;
    int status = -1;
    int grpcStatus = -1;
    String grpcMessage;
    /** RST_STREAM error code, or -1. */
    long resetCode = -1;
    boolean resetByClient;
    boolean refusedByGoAway;
    boolean pushed;
    /** Stream 1 after an HTTP/1.1 Upgrade to h2c: its request was the HTTP/1.1 one. */
    boolean upgraded;
    long lastReportNs;
    int partialReports;

    Http2Stream(int id) {
        this.id = id;
    }

    /** Makes this a new stream {@code newId}, as if just constructed. */
    Http2Stream reset(int newId) {
        id = newId;
        request.reset();
        response.reset();
        method = null;
        authority = null;
        path = null;
        requestContentType = null;
        userAgent = null;
        responseContentType = null;
        status = -1;
        grpcStatus = -1;
        grpcMessage = null;
        resetCode = -1;
        resetByClient = false;
        refusedByGoAway = false;
        pushed = false;
        upgraded = false;
        lastReportNs = 0;
        partialReports = 0;
        return this;
    }

    /** By content type; on a connection joined mid-stream the request's may be unknown, the response's not. */
    boolean isGrpc() {
        return isGrpcType(requestContentType) || isGrpcType(responseContentType) || grpcStatus >= 0;
    }

    private static boolean isGrpcType(String contentType) {
        return contentType != null && contentType.startsWith("application/grpc");
    }

    /** One direction of the stream. */
    static final class Side {
        long startNs;
        long endNs;
        int startTid;
        long startSequence = -1;
        long bytes;
        /** DATA payload bytes (without padding). */
        long bodyBytes;
        boolean started;
        boolean ended;
        int unknownHeaderFields;
        boolean gap;
        boolean malformed;
        boolean truncated;
        final GrpcMessageCounter messages = new GrpcMessageCounter();

        void reset() {
            startNs = 0;
            endNs = 0;
            startTid = 0;
            startSequence = -1;
            bytes = 0;
            bodyBytes = 0;
            started = false;
            ended = false;
            unknownHeaderFields = 0;
            gap = false;
            malformed = false;
            truncated = false;
            messages.reset();
        }

        /** The frame at {@code position} belongs to this side; the first one starts it. */
        void frame(long position, long endPosition, int frameBytes, ChunkOrigin origin) {
            if (!started) {
                started = true;
                startNs = origin.timestampAt(position);
                startTid = origin.tidAt(position);
                startSequence = origin.sequenceAt(position);
            }
            bytes += frameBytes;
            endNs = origin.timestampAt(endPosition - 1);
        }
    }
}

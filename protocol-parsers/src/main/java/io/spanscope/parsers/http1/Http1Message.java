package io.spanscope.parsers.http1;

import io.spanscope.parsers.stream.ChunkOrigin;

import java.util.Arrays;

/** One request or response as it is parsed: mutable, owned by one decoder until complete. */
final class Http1Message {

    /** Bytes were lost where framing or headers mattered. */
    static final int GAP = 1;
    /** Body bytes were lost or cut by the capture cap; framing survived. */
    static final int TRUNCATED_BODY = 1 << 1;
    /** A protocol rule or a limit was broken; the message was cut short. */
    static final int MALFORMED = 1 << 2;
    /** The connection ended before the message did. */
    static final int INCOMPLETE = 1 << 3;

    /** Null for a response nobody asked for (its request was never seen). */
    final Http1Exchange exchange;

    long startNs;
    long endNs;
    int startTid;
    long startSequence = -1;
    long bytes;
    long bodyBytes;
    int flags;
    boolean complete;

    String method;
    String path;
    String query;
    String authority;
    String version;
    String host;
    String userAgent;
    String upgrade;
    int status = -1;
    long contentLength = -1;
    boolean chunked;
    boolean transferEncoding;
    int interimResponses;

    String[] headerNames = NO_STRINGS;
    String[] headerValues = NO_STRINGS;
    int headerCount;

    byte[] body;
    int bodyLength;

    private static final String[] NO_STRINGS = new String[0];

    Http1Message(Http1Exchange exchange) {
        this.exchange = exchange;
    }

    void markStart(ChunkOrigin origin, long position) {
        startNs = origin.timestampAt(position);
        startTid = origin.tidAt(position);
        startSequence = origin.sequenceAt(position);
    }

    /** Forgets what a head set, keeping counts; an interim (1xx) response is followed by the final one. */
    void resetHead() {
        status = -1;
        version = null;
        contentLength = -1;
        chunked = false;
        transferEncoding = false;
        upgrade = null;
        headerCount = 0;
    }

    void addHeader(String name, String value, int maxHeaders) {
        if (headerCount == maxHeaders) {
            return;
        }
        if (headerCount == headerNames.length) {
            int capacity = Math.max(2, headerCount * 2);
            headerNames = Arrays.copyOf(headerNames, capacity);
            headerValues = Arrays.copyOf(headerValues, capacity);
        }
        headerNames[headerCount] = name;
        headerValues[headerCount] = value;
        headerCount++;
    }

    void keepBody(byte[] b, int offset, int length, int cap) {
        int n = Math.min(length, cap - bodyLength);
        if (n <= 0) {
            return;
        }
        if (body == null) {
            body = new byte[Math.min(cap, Math.max(n, 256))];
        } else if (bodyLength + n > body.length) {
            body = Arrays.copyOf(body, Math.min(cap, Math.max(bodyLength + n, body.length * 2)));
        }
        System.arraycopy(b, offset, body, bodyLength, n);
        bodyLength += n;
    }

    byte[] keptBody() {
        return body == null ? null : Arrays.copyOf(body, bodyLength);
    }
}

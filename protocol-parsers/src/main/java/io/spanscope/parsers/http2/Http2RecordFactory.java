package io.spanscope.parsers.http2;

import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.AsciiString;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.record.Attributes;
import io.spanscope.parsers.record.ConnectionInfo;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordFlag;

import java.util.List;
import java.util.Objects;

/** Turns a stream into a {@link Record}: OpenTelemetry HTTP and RPC attribute names, gRPC when it is gRPC. */
final class Http2RecordFactory {

    static final AsciiString CONTENT_TYPE = AsciiString.cached("content-type");
    static final AsciiString USER_AGENT = AsciiString.cached("user-agent");
    static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    /** The regular (not pseudo) headers records are made of; decoders keep no others. */
    static final AsciiString[] HEADERS_READ = {CONTENT_TYPE, USER_AGENT, GRPC_STATUS, GRPC_MESSAGE};
    private static final String STREAM_ID = "spanscope.http2.stream_id";

    /** gRPC status code names (grpc/doc/statuscodes.md), used as {@code error.type}. */
    private static final String[] GRPC_CODES = {
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
            "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
            "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
    private static final Long[] SMALL = new Long[600];

    static {
        for (int i = 0; i < SMALL.length; i++) {
            SMALL[i] = (long) i;
        }
    }

    private final ConnectionInfo connection;
    private final boolean captureContentType;
    private final boolean captureResponseContentType;
    private final Attributes.Builder attributes = Attributes.builder();
    private final SingletonLists requestContentTypes = new SingletonLists();
    private final SingletonLists responseContentTypes = new SingletonLists();
    private final RepeatedStream lastStream = new RepeatedStream();
    private boolean rolesReversed;
    private String lastRpcPath;
    private String lastService;
    private String lastMethod;
    private String lastAuthority;
    private String lastServerAddress;
    private Long lastServerPort;

    Http2RecordFactory(ConnectionInfo connection, ParserConfig config) {
        this.connection = connection;
        this.captureContentType = config.capturedRequestHeaders().contains("content-type");
        this.captureResponseContentType = config.capturedResponseHeaders().contains("content-type");
    }

    /** The connection's roles turned out to be the other way round than the capture guessed. */
    void reverseRoles(boolean reversed) {
        this.rolesReversed = reversed;
    }

    Record build(Http2Stream stream, boolean partial) {
        boolean grpc = stream.isGrpc();
        Http2Stream.Side request = stream.request;
        Http2Stream.Side response = stream.response;
        Record.Builder record = Record.builder()
                .protocol(grpc ? Protocol.GRPC : Protocol.HTTP2)
                .connection(connection)
                .attributes(attributes(stream, grpc, partial));
        if (rolesReversed) {
            record.role(connection.role() == Role.SERVER ? Role.CLIENT : Role.SERVER)
                    .client(connection.server()).server(connection.client());
        }
        if (request.started) {
            record.request(request.startTid, request.startNs, request.endNs, request.startSequence, request.bytes);
        }
        if (response.started) {
            record.response(response.startTid, response.startNs, response.endNs, response.startSequence,
                    response.bytes);
        }
        flags(record, stream, partial);
        return record.build();
    }

    private void flags(Record.Builder record, Http2Stream stream, boolean partial) {
        Http2Stream.Side request = stream.request;
        Http2Stream.Side response = stream.response;
        if (!partial) {
            if (!request.ended && stream.resetCode < 0 && !stream.isGrpc()) {
                record.flag(RecordFlag.REQUEST_INCOMPLETE);
            }
            if (!response.started) {
                record.flag(RecordFlag.RESPONSE_MISSING);
            } else if (!response.ended && stream.resetCode < 0) {
                record.flag(RecordFlag.RESPONSE_INCOMPLETE);
            }
        }
        if (request.gap || (!request.started && !stream.upgraded)) {
            record.flag(RecordFlag.GAP_IN_REQUEST);
        }
        if (response.gap) {
            record.flag(RecordFlag.GAP_IN_RESPONSE);
        }
        if (request.truncated || response.truncated) {
            record.flag(RecordFlag.TRUNCATED_BODY);
        }
        if (request.malformed || response.malformed) {
            record.flag(RecordFlag.MALFORMED);
        }
        if (connection.joinedMidStream()) {
            record.flag(RecordFlag.JOINED_MID_STREAM);
        }
    }

    /**
     * A connection's calls mostly differ in nothing but their stream id: then the previous record's
     * attributes are copied with the id replaced instead of put again one by one.
     */
    private Attributes attributes(Http2Stream stream, boolean grpc, boolean partial) {
        boolean repeatable = !partial && stream.partialReports == 0;
        if (repeatable && lastStream.repeatedBy(stream)) {
            return lastStream.withStreamId(stream.id);
        }
        Attributes built = buildAttributes(stream, grpc, partial);
        if (repeatable) {
            lastStream.remember(stream, built);
        }
        return built;
    }

    private Attributes buildAttributes(Http2Stream stream, boolean grpc, boolean partial) {
        Attributes.Builder a = attributes.clear()
                .put("network.protocol.version", "2")
                .put("http.request.method", stream.method);
        putPath(a, stream.path);
        putAuthority(a, stream.authority);
        a.put("user_agent.original", stream.userAgent);
        if (captureContentType && stream.requestContentType != null) {
            a.put("http.request.header.content-type", requestContentTypes.of(stream.requestContentType));
        }
        if (stream.status >= 0) {
            a.put("http.response.status_code", code(stream.status));
        }
        if (captureResponseContentType && stream.responseContentType != null) {
            a.put("http.response.header.content-type", responseContentTypes.of(stream.responseContentType));
        }
        if (stream.request.bodyBytes > 0) {
            a.put("http.request.body.size", stream.request.bodyBytes);
        }
        if (stream.response.bodyBytes > 0) {
            a.put("http.response.body.size", stream.response.bodyBytes);
        }
        String errorType = null;
        if (grpc) {
            errorType = grpc(a, stream);
        } else if (stream.status >= 500) {
            errorType = Integer.toString(stream.status);
        }
        if (stream.resetCode >= 0) {
            String name = errorName(stream.resetCode);
            a.put("spanscope.http2.rst_stream.error_code", name)
                    .put("spanscope.http2.rst_stream.by", stream.resetByClient ? "client" : "server");
            if (errorType == null) {
                errorType = name;
            }
        }
        if (stream.refusedByGoAway) {
            a.put("spanscope.http2.goaway_refused", Boolean.TRUE);
            if (errorType == null) {
                errorType = "REFUSED_STREAM";
            }
        }
        a.put("error.type", errorType);
        a.put(STREAM_ID, code(stream.id));
        if (stream.pushed) {
            a.put("spanscope.http2.server_push", Boolean.TRUE);
        }
        if (stream.upgraded) {
            a.put("spanscope.http2.upgraded_from_http1", Boolean.TRUE);
        }
        int unknown = stream.request.unknownHeaderFields + stream.response.unknownHeaderFields;
        if (unknown > 0) {
            a.put("spanscope.http2.unknown_header_fields", code(unknown));
        }
        if (partial) {
            a.put("spanscope.http2.partial", Boolean.TRUE).put("spanscope.http2.partial_index", code(stream.partialReports));
        } else if (stream.partialReports > 0) {
            a.put("spanscope.http2.partial_reports", code(stream.partialReports));
        }
        return a.build();
    }

    /** rpc.* attributes; returns the error type (status name) when the call failed. */
    private String grpc(Attributes.Builder a, Http2Stream stream) {
        a.put("rpc.system", "grpc");
        String path = stream.path;
        if (path != null && !path.equals(lastRpcPath)) {
            lastRpcPath = path;
            int slash = path.length() > 1 && path.charAt(0) == '/' ? path.indexOf('/', 1) : -1;
            lastService = slash > 1 ? path.substring(1, slash) : null;
            lastMethod = slash > 1 ? path.substring(slash + 1) : null;
        }
        if (path != null) {
            a.put("rpc.service", lastService).put("rpc.method", lastMethod);
        }
        Http2Stream.Side request = stream.request;
        Http2Stream.Side response = stream.response;
        a.put("spanscope.grpc.request.messages", code((int) Math.min(Integer.MAX_VALUE, request.messages.messages())))
                .put("spanscope.grpc.response.messages", code((int) Math.min(Integer.MAX_VALUE, response.messages.messages())));
        if (request.messages.anyCompressed()) {
            a.put("spanscope.grpc.request.compressed", Boolean.TRUE);
        }
        if (response.messages.anyCompressed()) {
            a.put("spanscope.grpc.response.compressed", Boolean.TRUE);
        }
        if (request.messages.lost() || response.messages.lost()) {
            a.put("spanscope.grpc.message_counts_partial", Boolean.TRUE);
        }
        if (stream.grpcStatus < 0) {
            return null;
        }
        a.put("rpc.grpc.status_code", code(stream.grpcStatus));
        if (stream.grpcMessage != null && !stream.grpcMessage.isEmpty()) {
            a.put("spanscope.grpc.message", stream.grpcMessage);
        }
        if (stream.grpcStatus == 0) {
            return null;
        }
        return stream.grpcStatus < GRPC_CODES.length ? GRPC_CODES[stream.grpcStatus] : Integer.toString(stream.grpcStatus);
    }

    private static void putPath(Attributes.Builder a, String path) {
        if (path == null) {
            return;
        }
        int query = path.indexOf('?');
        a.put("url.path", query < 0 ? path : path.substring(0, query));
        if (query >= 0) {
            a.put("url.query", path.substring(query + 1));
        }
    }

    /** A connection's requests name the same authority: it is split once, while it repeats. */
    private void putAuthority(Attributes.Builder a, String authority) {
        if (authority == null) {
            return;
        }
        if (!authority.equals(lastAuthority)) {
            lastAuthority = authority;
            splitAuthority(authority);
        }
        a.put("server.address", lastServerAddress).put("server.port", lastServerPort);
    }

    /** host[:port] or [v6]:port into {@code lastServerAddress} and {@code lastServerPort} (null when absent). */
    private void splitAuthority(String authority) {
        int colon = authority.lastIndexOf(':');
        int bracket = authority.lastIndexOf(']');
        String host = colon > bracket && colon > 0 ? authority.substring(0, colon) : authority;
        if (host.length() > 1 && host.charAt(0) == '[' && host.charAt(host.length() - 1) == ']') {
            host = host.substring(1, host.length() - 1);
        }
        lastServerAddress = host;
        lastServerPort = null;
        if (colon > bracket && colon > 0) {
            try {
                int port = Integer.parseInt(authority.substring(colon + 1));
                if (port >= 0 && port <= 65535) {
                    lastServerPort = (long) port;
                }
            } catch (NumberFormatException e) {
                // Not a port: the address alone is kept.
            }
        }
    }

    /**
     * What the last non-partial record's attributes were made of: every stream value {@link
     * #buildAttributes} reads except the stream id (the factory's own inputs are fixed per connection
     * or follow from these). A stream equal in all of them gets the same attributes but its id.
     */
    private static final class RepeatedStream {
        private Attributes attributes;
        private String method;
        private String path;
        private String authority;
        private String userAgent;
        private String requestContentType;
        private String responseContentType;
        private String grpcMessage;
        private int status;
        private int grpcStatus;
        private long resetCode;
        /** resetByClient, refusedByGoAway, pushed, upgraded, and both sides' compressed and lost, as bits. */
        private int flags;
        private int unknownHeaderFields;
        private long requestBodyBytes;
        private long responseBodyBytes;
        private long requestMessages;
        private long responseMessages;

        boolean repeatedBy(Http2Stream s) {
            return attributes != null
                    && Objects.equals(path, s.path) && requestBodyBytes == s.request.bodyBytes
                    && responseBodyBytes == s.response.bodyBytes && status == s.status && grpcStatus == s.grpcStatus
                    && requestMessages == s.request.messages.messages()
                    && responseMessages == s.response.messages.messages()
                    && flags == flags(s) && resetCode == s.resetCode
                    && unknownHeaderFields == s.request.unknownHeaderFields + s.response.unknownHeaderFields
                    && Objects.equals(method, s.method) && Objects.equals(authority, s.authority)
                    && Objects.equals(userAgent, s.userAgent)
                    && Objects.equals(requestContentType, s.requestContentType)
                    && Objects.equals(responseContentType, s.responseContentType)
                    && Objects.equals(grpcMessage, s.grpcMessage);
        }

        /** The remembered attributes with another stream id (derived from the last derived: no key search). */
        Attributes withStreamId(int id) {
            attributes = attributes.with(STREAM_ID, code(id));
            return attributes;
        }

        void remember(Http2Stream s, Attributes built) {
            attributes = built;
            method = s.method;
            path = s.path;
            authority = s.authority;
            userAgent = s.userAgent;
            requestContentType = s.requestContentType;
            responseContentType = s.responseContentType;
            grpcMessage = s.grpcMessage;
            status = s.status;
            grpcStatus = s.grpcStatus;
            resetCode = s.resetCode;
            flags = flags(s);
            unknownHeaderFields = s.request.unknownHeaderFields + s.response.unknownHeaderFields;
            requestBodyBytes = s.request.bodyBytes;
            responseBodyBytes = s.response.bodyBytes;
            requestMessages = s.request.messages.messages();
            responseMessages = s.response.messages.messages();
        }

        private static int flags(Http2Stream s) {
            return (s.resetByClient ? 1 : 0) | (s.refusedByGoAway ? 2 : 0) | (s.pushed ? 4 : 0) | (s.upgraded ? 8 : 0)
                    | (s.request.messages.anyCompressed() ? 16 : 0) | (s.response.messages.anyCompressed() ? 32 : 0)
                    | (s.request.messages.lost() ? 64 : 0) | (s.response.messages.lost() ? 128 : 0);
        }
    }

    /** The one-element list of the last value, kept while the value repeats (records are immutable). */
    private static final class SingletonLists {
        private String value;
        private List<String> list;

        List<String> of(String next) {
            if (!next.equals(value)) {
                value = next;
                list = List.of(next);
            }
            return list;
        }
    }

    private static String errorName(long code) {
        Http2Error error = code >= 0 && code <= Integer.MAX_VALUE ? Http2Error.valueOf(code) : null;
        return error != null ? error.name() : "0x" + Long.toHexString(code);
    }

    private static Long code(int value) {
        return value >= 0 && value < SMALL.length ? SMALL[value] : Long.valueOf(value);
    }
}

package io.spanscope.parsers.http2;

import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.collection.IntObjectHashMap;
import io.spanscope.capture.event.Direction;
import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.ParserStats;
import io.spanscope.parsers.detect.HandlerContext;
import io.spanscope.parsers.detect.ProtocolHandler;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.stream.ChunkOrigin;

import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP/2 connection: a {@link Http2FrameDecoder} per direction and the streams between them. A
 * stream is an exchange: it opens with the client's HEADERS (or the server's PUSH_PROMISE), collects
 * both sides' frames, and is recorded when the response has ended and the request has too, or on
 * RST_STREAM, GOAWAY refusal, or connection end. Streams are matched by id, so interleaving is free.
 *
 * <p>After an HTTP/1.1 Upgrade to h2c the handler is created mid-connection (its first bytes are not at
 * stream position 0): stream 1 then already exists, its request being the HTTP/1.1 one (recorded by the
 * HTTP/1 handler as the 101 exchange); only its response is read here.
 */
final class Http2Handler implements ProtocolHandler, Http2FrameDecoder.Listener {

    private static final long NO_ERROR = 0;

    private final HandlerContext context;
    private final ParserStats stats;
    private final Http2FrameDecoder requestDecoder;
    private final Http2FrameDecoder responseDecoder;
    private final Http2RecordFactory records;
    private final IntObjectHashMap<Http2Stream> streams = new IntObjectHashMap<>();
    private final int maxStreams;
    private final long reportIntervalNs;
    private final boolean joinedMidStream;
    private final LastString methods = new LastString();
    private final LastString authorities = new LastString();
    private final LastString paths = new LastString();
    private final LastString contentTypes = new LastString();
    private final LastString userAgents = new LastString();
    /** A recorded stream's object, reused by the next stream opened (most streams open and end one by one). */
    private Http2Stream spare;
    private boolean started;
    private boolean roleSettled;
    /** The direction the capture took for requests carries responses (joined mid-stream, roles guessed). */
    private boolean reversed;

    Http2Handler(HandlerContext context, Http2RecordFactory records) {
        this.context = context;
        this.stats = context.stats();
        this.records = records;
        ParserConfig config = context.config();
        this.joinedMidStream = context.connection().joinedMidStream();
        // A frame must fit the direction's buffer to be decoded whole; larger ones are skipped.
        int maxFrame = config.maxBufferedBytesPerDirection() - FrameHeader.LENGTH;
        this.requestDecoder = new Http2FrameDecoder(true, joinedMidStream, this, stats, config.maxHeaderTableBytes(),
                config.maxHeaderBytes(), maxFrame);
        this.responseDecoder = new Http2FrameDecoder(false, joinedMidStream, this, stats,
                config.maxHeaderTableBytes(), config.maxHeaderBytes(), maxFrame);
        this.maxStreams = config.maxPendingRequestsPerConnection();
        this.reportIntervalNs = config.streamReportIntervalNs();
    }

    @Override
    public Protocol protocol() {
        return Protocol.HTTP2;
    }

    @Override
    public int onBytes(Direction direction, byte[] buffer, int offset, int length, long position, ChunkOrigin origin) {
        if (!started) {
            started = true;
            if (position > 0 && !joinedMidStream) {
                startAfterUpgrade(origin);
            }
        }
        return decoder(direction).onBytes(buffer, offset, length, position, origin);
    }

    /** The HTTP/1.1 request that asked for h2c became stream 1, half-closed by the client. */
    private void startAfterUpgrade(ChunkOrigin origin) {
        Http2Stream upgraded = new Http2Stream(1);
        upgraded.upgraded = true;
        upgraded.request.ended = true;
        upgraded.lastReportNs = origin.timestampNs();
        streams.put(1, upgraded);
    }

    @Override
    public void onGap(Direction direction, long position, long missingBytes, ChunkOrigin origin) {
        decoder(direction).onGap(position, missingBytes);
    }

    @Override
    public void onConnectionEnd(long timestampNs, boolean closed) {
        if (streams.isEmpty()) {
            return;
        }
        List<Http2Stream> open = new ArrayList<>(streams.values());
        open.sort((a, b) -> Integer.compare(a.id, b.id));
        streams.clear();
        for (Http2Stream stream : open) {
            emit(stream);
        }
    }

    private Http2FrameDecoder decoder(Direction direction) {
        return direction == context.requestDirection() ? requestDecoder : responseDecoder;
    }

    @Override
    public void onPreface(boolean request, long position) {
        // Nothing to record: the preface belongs to no stream.
    }

    @Override
    public void onHeaderBlock(boolean requestSide, int streamId, Http2Headers headers, boolean endStream,
                              int promisedStreamId, long blockPosition, int blockBytes, long endPosition,
                              ChunkOrigin origin) {
        int unknown = (requestSide ? requestDecoder : responseDecoder).lastUnknownFields();
        if (!roleSettled) {
            settleRole(requestSide, headers);
        }
        boolean request = requestSide != reversed;
        if (promisedStreamId != 0) {
            // PUSH_PROMISE: the server states the request it answers on the promised stream.
            Http2Stream pushed = open(promisedStreamId, origin.timestampAt(blockPosition));
            if (pushed == null) {
                return;
            }
            pushed.pushed = true;
            readRequestHeaders(pushed, headers);
            pushed.request.frame(blockPosition, endPosition, blockBytes, origin);
            pushed.request.unknownHeaderFields += unknown;
            pushed.request.ended = true;
            return;
        }
        Http2Stream stream = streams.get(streamId);
        if (request) {
            if (stream == null) {
                stream = open(streamId, origin.timestampAt(blockPosition));
                if (stream == null) {
                    return;
                }
                readRequestHeaders(stream, headers);
            }
            stream.request.frame(blockPosition, endPosition, blockBytes, origin);
            stream.request.unknownHeaderFields += unknown;
            stream.request.ended |= endStream;
        } else {
            if (stream == null) {
                stats.countDrop(DropReason.HTTP2_UNKNOWN_STREAM);
                return;
            }
            readResponseHeaders(stream, headers);
            stream.response.frame(blockPosition, endPosition, blockBytes, origin);
            stream.response.unknownHeaderFields += unknown;
            stream.response.ended |= endStream;
        }
        progress(stream, origin.timestampAt(endPosition - 1));
    }

    /**
     * On a connection joined mid-stream the capture may have guessed the roles the wrong way round (a
     * pcap without its handshake): the first header block that is clearly a request ({@code :method}) or
     * a response ({@code :status} alone) settles which direction carries requests.
     */
    private void settleRole(boolean requestSide, Http2Headers headers) {
        if (!joinedMidStream) {
            roleSettled = true;
            return;
        }
        boolean isRequest = headers.method() != null;
        boolean isResponse = headers.status() != null && !isRequest;
        if (isRequest || isResponse) {
            roleSettled = true;
            reversed = isRequest != requestSide;
            records.reverseRoles(reversed);
        }
    }

    private Http2Stream open(int streamId, long nowNs) {
        if (streams.size() >= maxStreams) {
            stats.countDrop(DropReason.PENDING_REQUEST_LIMIT);
            Http2Stream oldest = null;
            for (Http2Stream s : streams.values()) {
                if (oldest == null || s.id < oldest.id) {
                    oldest = s;
                }
            }
            streams.remove(oldest.id);
            emit(oldest);
        }
        Http2Stream stream = spare != null ? spare.reset(streamId) : new Http2Stream(streamId);
        spare = null;
        stream.lastReportNs = nowNs;
        streams.put(streamId, stream);
        return stream;
    }

    private void readRequestHeaders(Http2Stream stream, Http2Headers headers) {
        stream.method = methods.of(headers.method());
        stream.authority = authorities.of(headers.authority());
        stream.path = paths.of(headers.path());
        stream.requestContentType = contentTypes.of(headers.get(Http2RecordFactory.CONTENT_TYPE));
        stream.userAgent = userAgents.of(headers.get(Http2RecordFactory.USER_AGENT));
    }

    private void readResponseHeaders(Http2Stream stream, Http2Headers headers) {
        CharSequence status = headers.status();
        if (status != null) {
            int code = parseCode(status);
            // Interim 1xx responses only precede the final one.
            if (stream.status < 200) {
                stream.status = code;
            }
        }
        CharSequence contentType = headers.get(Http2RecordFactory.CONTENT_TYPE);
        if (contentType != null) {
            stream.responseContentType = contentTypes.of(contentType);
        }
        CharSequence grpcStatus = headers.get(Http2RecordFactory.GRPC_STATUS);
        if (grpcStatus != null) {
            stream.grpcStatus = parseCode(grpcStatus);
            stream.grpcMessage = string(headers.get(Http2RecordFactory.GRPC_MESSAGE));
        }
    }

    @Override
    public void onHeaderBlockFailed(boolean requestSide, int streamId, boolean overLimit) {
        boolean request = requestSide != reversed;
        Http2Stream stream = streams.get(streamId);
        if (stream == null && request && streamId != 0) {
            stream = open(streamId, 0);
        }
        if (stream != null) {
            (request ? stream.request : stream.response).malformed = true;
        }
    }

    @Override
    public void onStreamFrame(boolean requestSide, int streamId, int type, byte[] data, int dataOffset, int dataLength,
                              boolean endStream, long position, int frameBytes, ChunkOrigin origin) {
        boolean request = requestSide != reversed;
        Http2Stream stream = streams.get(streamId);
        if (stream == null) {
            if (type == FrameHeader.DATA) {
                stats.countUnparsedBytes(frameBytes);
            }
            return;
        }
        Http2Stream.Side side = request ? stream.request : stream.response;
        side.frame(position, position + frameBytes, frameBytes, origin);
        if (type == FrameHeader.DATA) {
            side.bodyBytes += dataLength;
            side.messages.onData(data, dataOffset, dataOffset + dataLength);
        }
        side.ended |= endStream;
        progress(stream, origin.timestampAt(position + frameBytes - 1));
    }

    @Override
    public void onRstStream(boolean requestSide, int streamId, long errorCode) {
        boolean request = requestSide != reversed;
        Http2Stream stream = streams.remove(streamId);
        if (stream == null) {
            return;
        }
        // A reset after a complete response only stops the other side from sending more.
        if (!stream.response.ended && !(stream.request.ended && errorCode == NO_ERROR)) {
            stream.resetCode = errorCode;
            stream.resetByClient = request;
        }
        emit(stream);
    }

    @Override
    public void onGoAway(boolean requestSide, int lastStreamId, long errorCode) {
        boolean request = requestSide != reversed;
        if (request || streams.isEmpty()) {
            return;
        }
        // The server will not process client streams above lastStreamId: they fail without a response.
        List<Http2Stream> refused = new ArrayList<>();
        for (Http2Stream stream : streams.values()) {
            if (stream.id > lastStreamId && (stream.id & 1) == 1) {
                refused.add(stream);
            }
        }
        for (Http2Stream stream : refused) {
            streams.remove(stream.id);
            stream.refusedByGoAway = true;
            emit(stream);
        }
    }

    @Override
    public void onPayloadLost(boolean requestSide, int streamId, boolean endStream) {
        boolean request = requestSide != reversed;
        Http2Stream stream = streams.get(streamId);
        if (stream != null) {
            Http2Stream.Side side = request ? stream.request : stream.response;
            side.truncated = true;
            side.messages.onLoss();
            side.ended |= endStream;
            if (endStream) {
                progress(stream, side.endNs);
            }
        }
    }

    @Override
    public void onFramingLost(boolean requestSide) {
        boolean request = requestSide != reversed;
        for (Http2Stream stream : streams.values()) {
            Http2Stream.Side side = request ? stream.request : stream.response;
            side.gap = true;
            side.messages.onLoss();
        }
    }

    private void progress(Http2Stream stream, long nowNs) {
        if (stream.response.ended && (stream.request.ended || stream.isGrpc())) {
            streams.remove(stream.id);
            emit(stream);
        } else if (nowNs - stream.lastReportNs >= reportIntervalNs) {
            stream.lastReportNs = nowNs;
            stream.partialReports++;
            stats.countRecord();
            context.sink().onRecord(records.build(stream, true));
        }
    }

    /** Records a stream that has left {@link #streams}; its object is not used after this. */
    private void emit(Http2Stream stream) {
        stats.countRecord();
        context.sink().onRecord(records.build(stream, false));
        spare = stream;
    }

    /**
     * The String of the last value seen for one header. HPACK hands out the same table entry object
     * for a repeated indexed field, so a connection that repeats its paths and user agent pays for each
     * String once rather than per stream.
     */
    private static final class LastString {
        private CharSequence value;
        private String string;

        String of(CharSequence next) {
            if (next == null) {
                return null;
            }
            if (next != value) {
                value = next;
                string = next.toString();
            }
            return string;
        }
    }

    private static String string(CharSequence value) {
        return value == null ? null : value.toString();
    }

    private static int parseCode(CharSequence digits) {
        int code = 0;
        int n = digits.length();
        if (n == 0 || n > 9) {
            return -1;
        }
        for (int i = 0; i < n; i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            code = code * 10 + (c - '0');
        }
        return code;
    }
}

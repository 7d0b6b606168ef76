package io.spanscope.parsers.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserStats;
import io.spanscope.parsers.detect.Http2PrefaceDetector;
import io.spanscope.parsers.stream.ChunkOrigin;

/**
 * One direction of an HTTP/2 connection, a state machine over assembled bytes:
 *
 * <pre>
 * PREFACE (client direction) ─24 bytes─► FRAMES ⇄ SKIP_PAYLOAD (frame too large to hold)
 *                                          │  ▲
 *                   gap / not HTTP/2 ──────┘  └── RESYNC (scan for a run of plausible frames)
 * </pre>
 *
 * In FRAMES it splits the bytes into whole frames from their 9-byte headers. The frames of fixed shape
 * (DATA, PRIORITY, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE) are read here, straight from the
 * assembled bytes: per call they are most of the frames, and a trip through Netty's reader costs a
 * slice and a callback object each. Header blocks (HEADERS, PUSH_PROMISE, CONTINUATION), and any frame
 * arriving while a block is open, go as a view of the assembled bytes (no copy) to Netty's
 * {@link DefaultHttp2FrameReader}, whose HPACK state is this direction's {@link TolerantHeadersDecoder}.
 * A frame either rejects is counted and skipped; when it was part of a header block, or bytes were lost,
 * the dynamic table is marked unknown.
 */
final class Http2FrameDecoder {

    /** What the decoder found, with the stream positions of the frames (for timestamps and sequences). */
    interface Listener {
        void onPreface(boolean request, long position);

        void onHeaderBlock(boolean request, int streamId, Http2Headers headers, boolean endStream, int promisedStreamId,
                           long blockPosition, int blockBytes, long endPosition, ChunkOrigin origin);

        void onHeaderBlockFailed(boolean request, int streamId, boolean overLimit);

        /**
         * A DATA, RST_STREAM or WINDOW_UPDATE frame of a stream; for DATA its payload without padding is
         * {@code data[dataOffset, dataOffset + dataLength)}, valid during the call only (else dataLength is 0).
         */
        void onStreamFrame(boolean request, int streamId, int type, byte[] data, int dataOffset, int dataLength,
                           boolean endStream, long position, int frameBytes, ChunkOrigin origin);

        void onRstStream(boolean request, int streamId, long errorCode);

        void onGoAway(boolean request, int lastStreamId, long errorCode);

        /** Frame bytes of a stream's payload could not be inspected (lost or too large to hold). */
        void onPayloadLost(boolean request, int streamId, boolean endStream);

        /** Framing was lost: every open stream's bytes in this direction may be incomplete. */
        void onFramingLost(boolean request);
    }

    private enum State { PREFACE, FRAMES, SKIP_PAYLOAD, RESYNC }

    /**
     * Netty's reader takes a context only to reach an allocator (for CONTINUATION blocks) and to pass it
     * back to the listener; one inert channel serves every decoder.
     */
    private static final ChannelHandlerContext CONTEXT =
            new EmbeddedChannel(new ChannelInboundHandlerAdapter()).pipeline().firstContext();
    private static final int NETTY_MAX_FRAME = 16_777_215;

    private final boolean request;
    private final Listener listener;
    private final ParserStats stats;
    private final TolerantHeadersDecoder headers;
    private final int maxFrameBytes;
    private final FrameEvents events = new FrameEvents();
    private DefaultHttp2FrameReader reader;
    private State state;
    private long skipRemaining;
    private int skipStreamId;
    /** Set when a frame header was seen but its frame is not complete yet (for a gap inside it). */
    private long pendingFrameEnd = -1;
    private int pendingType;
    private int pendingStreamId;
    private int pendingFlags;

    // the frame being read by Netty, and the header block it belongs to
    private long framePosition;
    private int frameBytes;
    private ChunkOrigin frameOrigin;
    private long blockPosition;
    private int blockBytes;
    /** A HEADERS or PUSH_PROMISE without END_HEADERS was read: Netty expects CONTINUATION next. */
    private boolean blockOpen;

    Http2FrameDecoder(boolean request, boolean joinedMidStream, Listener listener, ParserStats stats,
                      long maxHeaderTableBytes, int maxHeaderBytes, int maxFrameBytes) {
        this.request = request;
        this.listener = listener;
        this.stats = stats;
        this.headers = new TolerantHeadersDecoder(maxHeaderTableBytes, maxHeaderBytes, !joinedMidStream);
        this.maxFrameBytes = maxFrameBytes;
        this.reader = newReader();
        this.state = joinedMidStream ? State.RESYNC : request ? State.PREFACE : State.FRAMES;
    }

    private DefaultHttp2FrameReader newReader() {
        blockOpen = false;
        DefaultHttp2FrameReader r = new DefaultHttp2FrameReader(headers);
        try {
            // Frame sizes are bounded here, before Netty sees a frame; Netty need not refuse any.
            r.maxFrameSize(NETTY_MAX_FRAME);
        } catch (Http2Exception e) {
            throw new IllegalStateException(e);
        }
        return r;
    }

    /** Header fields of the last block whose value was unknown. */
    int lastUnknownFields() {
        return headers.unknownFields();
    }

    boolean isHeaderTableDegraded() {
        return headers.isDegraded();
    }

    int onBytes(byte[] buffer, int offset, int length, long position, ChunkOrigin origin) {
        int p = offset;
        int end = offset + length;
        ByteBuf view = null;
        while (p < end) {
            switch (state) {
                case PREFACE: {
                    int n = Http2PrefaceDetector.PREFACE.length;
                    if (end - p < n && matchesPreface(buffer, p, end - p)) {
                        return p - offset;
                    }
                    if (matchesPreface(buffer, p, n)) {
                        listener.onPreface(request, position + (p - offset));
                        p += n;
                        state = State.FRAMES;
                    } else {
                        malformed();
                    }
                    break;
                }
                case SKIP_PAYLOAD: {
                    int skip = (int) Math.min(skipRemaining, end - p);
                    skipRemaining -= skip;
                    p += skip;
                    stats.countUnparsedBytes(skip);
                    if (skipRemaining == 0) {
                        state = State.FRAMES;
                    }
                    break;
                }
                case RESYNC: {
                    int start = resync(buffer, p, end);
                    stats.countUnparsedBytes(start - p);
                    p = start;
                    if (state == State.RESYNC) {
                        return p - offset;
                    }
                    break;
                }
                default: {
                    if (end - p < FrameHeader.LENGTH) {
                        return p - offset;
                    }
                    int payload = FrameHeader.payloadLength(buffer, p);
                    int type = FrameHeader.type(buffer, p);
                    int streamId = FrameHeader.streamId(buffer, p);
                    long framePos = position + (p - offset);
                    if (payload > maxFrameBytes) {
                        skipOversized(type, FrameHeader.flags(buffer, p), streamId, payload);
                        p += FrameHeader.LENGTH;
                        break;
                    }
                    int total = FrameHeader.LENGTH + payload;
                    if (end - p < total) {
                        pendingFrameEnd = framePos + total;
                        pendingType = type;
                        pendingStreamId = streamId;
                        pendingFlags = FrameHeader.flags(buffer, p);
                        return p - offset;
                    }
                    pendingFrameEnd = -1;
                    if (blockOpen || isHeaderBlockFrame(type)) {
                        if (view == null) {
                            view = Unpooled.wrappedBuffer(buffer, offset, length);
                        }
                        readHeaderBlockFrame(view, p - offset, total, type, streamId, framePos, origin);
                    } else {
                        readSimpleFrame(buffer, p, payload, type, FrameHeader.flags(buffer, p), streamId, framePos,
                                origin);
                    }
                    p += total;
                }
            }
        }
        return p - offset;
    }

    void onGap(long position, long missingBytes) {
        if (state == State.SKIP_PAYLOAD) {
            if (missingBytes <= skipRemaining) {
                skipRemaining -= missingBytes;
                stats.countUnparsedBytes(missingBytes);
                if (skipRemaining == 0) {
                    state = State.FRAMES;
                }
                return;
            }
        } else if (state == State.FRAMES && pendingFrameEnd >= 0 && pendingType == FrameHeader.DATA
                && position + missingBytes <= pendingFrameEnd) {
            // Only DATA payload is missing: the frame's length still says where the next one starts.
            listener.onPayloadLost(request, pendingStreamId, (pendingFlags & FrameHeader.FLAG_END_STREAM) != 0);
            skipRemaining = pendingFrameEnd - position - missingBytes;
            pendingFrameEnd = -1;
            state = skipRemaining > 0 ? State.SKIP_PAYLOAD : State.FRAMES;
            return;
        }
        pendingFrameEnd = -1;
        state = State.RESYNC;
        headers.loseTable();
        reader = newReader();
        stats.countResync();
        listener.onFramingLost(request);
    }

    private void skipOversized(int type, int flags, int streamId, int payload) {
        stats.countDrop(DropReason.HTTP2_OVERSIZED_FRAME);
        skipRemaining = payload;
        state = payload > 0 ? State.SKIP_PAYLOAD : State.FRAMES;
        if (type == FrameHeader.HEADERS || type == FrameHeader.PUSH_PROMISE || type == FrameHeader.CONTINUATION) {
            headers.loseTable();
            reader = newReader();
            listener.onHeaderBlockFailed(request, streamId, true);
        } else if (streamId != 0) {
            listener.onPayloadLost(request, streamId, type == FrameHeader.DATA && (flags & FrameHeader.FLAG_END_STREAM) != 0);
        }
    }

    /** Skips to the first run of plausible frames; leaves RESYNC when one is confirmed. */
    private int resync(byte[] buffer, int p, int end) {
        for (; p + FrameHeader.LENGTH <= end; p++) {
            if (!FrameHeader.plausible(buffer, p)) {
                continue;
            }
            int chain = FrameHeader.chainAt(buffer, p, end);
            if (chain == FrameHeader.CHAIN_YES) {
                state = State.FRAMES;
                return p;
            }
            if (chain == FrameHeader.CHAIN_NEED_MORE) {
                return p;
            }
        }
        return p;
    }

    private static boolean isHeaderBlockFrame(int type) {
        return type == FrameHeader.HEADERS || type == FrameHeader.PUSH_PROMISE || type == FrameHeader.CONTINUATION;
    }

    /**
     * A frame of fixed shape, checked by the rules Netty's reader applies to it (RFC 9113 §6): a frame
     * breaking a connection-level rule is rejected like one Netty rejects; a zero stream window
     * increment is a stream error, as there. Unknown types are ignored (§5.5).
     */
    private void readSimpleFrame(byte[] b, int at, int payload, int type, int flags, int streamId, long position,
                                 ChunkOrigin origin) {
        int p = at + FrameHeader.LENGTH;
        int total = FrameHeader.LENGTH + payload;
        switch (type) {
            case FrameHeader.DATA: {
                int padding = 0;
                if ((flags & FrameHeader.FLAG_PADDED) != 0) {
                    padding = payload > 0 ? (b[p] & 0xFF) + 1 : -1;
                }
                int dataLength = payload - padding;
                if (streamId == 0 || padding < 0 || dataLength < 0) {
                    frameRejected(type, streamId);
                    return;
                }
                int dataOffset = p + (padding > 0 ? 1 : 0);
                listener.onStreamFrame(request, streamId, type, b, dataOffset, dataLength,
                        (flags & FrameHeader.FLAG_END_STREAM) != 0, position, total, origin);
                return;
            }
            case FrameHeader.PRIORITY:
                if (streamId == 0) {
                    frameRejected(type, streamId);
                } else if (payload != 5 || (FrameHeader.int31(b, p) == streamId)) {
                    streamRejected(streamId);
                }
                return;
            case FrameHeader.RST_STREAM:
                if (streamId == 0 || payload != 4) {
                    frameRejected(type, streamId);
                    return;
                }
                listener.onStreamFrame(request, streamId, type, b, p, 0, false, position, total, origin);
                listener.onRstStream(request, streamId, FrameHeader.uint32(b, p));
                return;
            case FrameHeader.SETTINGS:
                if (streamId != 0 || payload % 6 != 0 || ((flags & FrameHeader.FLAG_ACK) != 0 && payload > 0)
                        || !FrameHeader.validSettings(b, p, payload)) {
                    frameRejected(type, streamId);
                }
                return;
            case FrameHeader.PING:
                if (streamId != 0 || payload != 8) {
                    frameRejected(type, streamId);
                }
                return;
            case FrameHeader.GOAWAY:
                if (streamId != 0 || payload < 8) {
                    frameRejected(type, streamId);
                    return;
                }
                listener.onGoAway(request, FrameHeader.int31(b, p), FrameHeader.uint32(b, p + 4));
                return;
            case FrameHeader.WINDOW_UPDATE: {
                if (payload != 4) {
                    frameRejected(type, streamId);
                    return;
                }
                int increment = FrameHeader.int31(b, p);
                if (increment == 0) {
                    if (streamId == 0) {
                        frameRejected(type, streamId);
                    } else {
                        streamRejected(streamId);
                    }
                } else if (streamId != 0) {
                    listener.onStreamFrame(request, streamId, type, b, p, 0, false, position, total, origin);
                }
                return;
            }
            default:
                // Extension frames carry nothing an exchange is made of.
        }
    }

    /** A frame breaks a rule of its stream only: the stream is marked, the connection goes on. */
    private void streamRejected(int streamId) {
        stats.countDrop(DropReason.HTTP2_MALFORMED_FRAME);
        listener.onHeaderBlockFailed(request, streamId, false);
    }

    private void readHeaderBlockFrame(ByteBuf view, int at, int total, int type, int streamId, long position,
                                      ChunkOrigin origin) {
        framePosition = position;
        frameBytes = total;
        frameOrigin = origin;
        if (type == FrameHeader.HEADERS || type == FrameHeader.PUSH_PROMISE) {
            blockPosition = position;
            blockBytes = total;
        } else if (type == FrameHeader.CONTINUATION) {
            blockBytes += total;
        }
        view.setIndex(at, at + total);
        int flags = view.getUnsignedByte(at + 4);
        // Netty reads any frame while a block is open only to refuse it; the block is then abandoned.
        blockOpen = isHeaderBlockFrame(type) && (flags & FrameHeader.FLAG_END_HEADERS) == 0;
        try {
            reader.readFrame(CONTEXT, view, events);
        } catch (Http2Exception e) {
            if (Http2Exception.isStreamError(e)) {
                boolean overLimit = e instanceof Http2Exception.HeaderListSizeException || headers.overLimit();
                if (overLimit) {
                    stats.countDrop(DropReason.HEADER_LIMIT);
                } else {
                    stats.countDrop(DropReason.HTTP2_MALFORMED_FRAME);
                }
                listener.onHeaderBlockFailed(request, streamId, overLimit);
            } else {
                frameRejected(type, streamId);
            }
        } catch (RuntimeException e) {
            frameRejected(type, streamId);
        }
    }

    /** Netty refused the frame as a connection error: its reader is spent; a new one starts at the next frame. */
    private void frameRejected(int type, int streamId) {
        stats.countDrop(DropReason.HTTP2_MALFORMED_FRAME);
        stats.countParseError();
        reader = newReader();
        if (type == FrameHeader.HEADERS || type == FrameHeader.PUSH_PROMISE || type == FrameHeader.CONTINUATION) {
            headers.loseTable();
            listener.onHeaderBlockFailed(request, streamId, headers.overLimit());
        }
    }

    private void malformed() {
        stats.countDrop(DropReason.HTTP2_MALFORMED_FRAME);
        stats.countParseError();
        state = State.RESYNC;
        headers.loseTable();
    }

    private static boolean matchesPreface(byte[] b, int at, int n) {
        byte[] preface = Http2PrefaceDetector.PREFACE;
        for (int i = 0; i < n; i++) {
            if (b[at + i] != preface[i]) {
                return false;
            }
        }
        return true;
    }

    private void countUnknownFields() {
        int unknown = headers.unknownFields();
        for (int i = 0; i < unknown; i++) {
            stats.countDrop(DropReason.HPACK_UNKNOWN_FIELD);
        }
    }

    /** Netty's callbacks for the frame being read. */
    private final class FrameEvents extends Http2FrameAdapter {

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            // Read directly (readSimpleFrame); Netty sees a DATA frame only while a block is open, to refuse it.
            return data.readableBytes() + padding;
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                  boolean endOfStream) {
            headerBlock(streamId, headers, endOfStream, 0);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                                  short weight, boolean exclusive, int padding, boolean endOfStream) {
            headerBlock(streamId, headers, endOfStream, 0);
        }

        @Override
        public void onPushPromiseRead(ChannelHandlerContext ctx, int streamId, int promisedStreamId,
                                      Http2Headers headers, int padding) {
            headerBlock(streamId, headers, false, promisedStreamId);
        }

        private void headerBlock(int streamId, Http2Headers block, boolean endOfStream, int promisedStreamId) {
            countUnknownFields();
            if (headers.overLimit()) {
                stats.countDrop(DropReason.HEADER_LIMIT);
            }
            listener.onHeaderBlock(request, streamId, block, endOfStream, promisedStreamId, blockPosition, blockBytes,
                    framePosition + frameBytes, frameOrigin);
        }

    }
}

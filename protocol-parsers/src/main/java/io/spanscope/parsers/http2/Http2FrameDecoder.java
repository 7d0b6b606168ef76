package io.spanscope.parsers.http2;

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
 * In FRAMES it splits the bytes into whole frames from their 9-byte headers and reads them in place,
 * by the rules Netty's {@code DefaultHttp2FrameReader} applies: the frames of fixed shape (DATA,
 * PRIORITY, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE) here, header blocks (HEADERS,
 * PUSH_PROMISE, CONTINUATION, and any frame arriving while a block is open) in {@link HeaderBlockReader},
 * which hands each complete block to this direction's HPACK decoder ({@link TolerantHeadersDecoder},
 * Netty's {@code DefaultHttp2HeadersDecoder} while the table is known). Going through Netty's frame
 * reader cost a slice and callback objects per frame and block: per call these frames are small.
 * A refused frame is counted and skipped; when it was part of a header block, or bytes were lost, the
 * dynamic table is marked unknown.
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

    private final boolean request;
    private final Listener listener;
    private final ParserStats stats;
    private final TolerantHeadersDecoder headers;
    private final int maxFrameBytes;
    private final HeaderBlockReader blocks;
    private State state;
    private long skipRemaining;
    private int skipStreamId;
    /** Set when a frame header was seen but its frame is not complete yet (for a gap inside it). */
    private long pendingFrameEnd = -1;
    private int pendingType;
    private int pendingStreamId;
    private int pendingFlags;

    Http2FrameDecoder(boolean request, boolean joinedMidStream, Listener listener, ParserStats stats,
                      long maxHeaderTableBytes, int maxHeaderBytes, int maxFrameBytes) {
        this.request = request;
        this.listener = listener;
        this.stats = stats;
        this.headers = new TolerantHeadersDecoder(maxHeaderTableBytes, maxHeaderBytes, !joinedMidStream);
        this.maxFrameBytes = maxFrameBytes;
        this.blocks = new HeaderBlockReader(headers, maxHeaderBytes);
        this.state = joinedMidStream ? State.RESYNC : request ? State.PREFACE : State.FRAMES;
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
                    if (blocks.isOpen() || isHeaderBlockFrame(type)) {
                        readHeaderBlockFrame(buffer, p, payload, type, FrameHeader.flags(buffer, p), streamId,
                                framePos, origin);
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
        blocks.abandon();
        stats.countResync();
        listener.onFramingLost(request);
    }

    private void skipOversized(int type, int flags, int streamId, int payload) {
        stats.countDrop(DropReason.HTTP2_OVERSIZED_FRAME);
        skipRemaining = payload;
        state = payload > 0 ? State.SKIP_PAYLOAD : State.FRAMES;
        if (type == FrameHeader.HEADERS || type == FrameHeader.PUSH_PROMISE || type == FrameHeader.CONTINUATION) {
            headers.loseTable();
            blocks.abandon();
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

    private void readHeaderBlockFrame(byte[] b, int at, int payload, int type, int flags, int streamId,
                                      long position, ChunkOrigin origin) {
        boolean interrupted = blocks.isOpen() && type != FrameHeader.CONTINUATION;
        int blockStream = interrupted ? blocks.streamId() : streamId;
        switch (blocks.read(b, at, payload, type, flags, streamId, position)) {
            case OPEN:
                return;
            case DECODED: {
                countUnknownFields();
                if (headers.overLimit()) {
                    stats.countDrop(DropReason.HEADER_LIMIT);
                }
                listener.onHeaderBlock(request, blocks.streamId(), blocks.headers(), blocks.endStream(),
                        blocks.promisedStreamId(), blocks.blockPosition(), blocks.blockBytes(),
                        position + FrameHeader.LENGTH + payload, origin);
                return;
            }
            case STREAM_ERROR: {
                boolean overLimit = blocks.overLimit();
                stats.countDrop(overLimit ? DropReason.HEADER_LIMIT : DropReason.HTTP2_MALFORMED_FRAME);
                listener.onHeaderBlockFailed(request, streamId, overLimit);
                return;
            }
            default:
                if (interrupted) {
                    // The abandoned block's table updates were never applied.
                    headers.loseTable();
                    listener.onHeaderBlockFailed(request, blockStream, false);
                }
                frameRejected(type, streamId);
        }
    }

    /** A frame refused as Netty refuses a connection: counted and skipped, any open header block abandoned. */
    private void frameRejected(int type, int streamId) {
        stats.countDrop(DropReason.HTTP2_MALFORMED_FRAME);
        stats.countParseError();
        blocks.abandon();
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
}

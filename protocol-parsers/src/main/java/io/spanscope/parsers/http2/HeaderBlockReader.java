package io.spanscope.parsers.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * One direction's header blocks (HEADERS or PUSH_PROMISE, then CONTINUATION until END_HEADERS), read
 * in place from whole frames by the rules Netty's {@code DefaultHttp2FrameReader} applies (RFC 9113
 * §6.2, §6.6, §6.10), and handed to the direction's HPACK decoder once complete.
 *
 * <p>Netty's reader costs a slice, a continuation object and a block builder per block; here a
 * block's fragments are copied into one reused buffer (blocks are a few hundred bytes), so a block
 * allocates nothing before HPACK. A block is bounded like Netty bounds it: more than
 * {@code 4 × maxHeaderBytes} of fragments refuses the block.
 */
final class HeaderBlockReader {

    /** What a frame did to the block. */
    enum Outcome {
        /** A fragment was kept; CONTINUATION frames must follow. */
        OPEN,
        /** The block is complete and decoded: {@link #headers()} until the next frame. */
        DECODED,
        /** Refused for its stream only (Netty's stream error); the connection goes on. */
        STREAM_ERROR,
        /** Refused as Netty refuses a connection: the open block, if any, is abandoned. */
        CONNECTION_ERROR
    }

    private static final int PRIORITY_FLAG = 0x20;
    private static final int PRIORITY_BYTES = 5;
    /** A buffer grown beyond this by one large block is not kept for the small ones that follow. */
    private static final int KEPT_BUFFER_BYTES = 16 * 1024;

    private final TolerantHeadersDecoder decoder;
    private final int maxBlockBytes;
    private ByteBuf fragments;

    private boolean open;
    private int streamId;
    private boolean endStream;
    private int promisedStreamId;
    private long blockPosition;
    private int blockBytes;
    private Http2Headers headers;
    private boolean overLimit;

    HeaderBlockReader(TolerantHeadersDecoder decoder, int maxHeaderBytes) {
        this.decoder = decoder;
        this.maxBlockBytes = (int) Math.min(Integer.MAX_VALUE, 4L * maxHeaderBytes);
    }

    /** A HEADERS or PUSH_PROMISE without END_HEADERS was read: only CONTINUATION may come next. */
    boolean isOpen() {
        return open;
    }

    /** Forgets an unfinished block (bytes lost, frame refused). */
    void abandon() {
        open = false;
        if (fragments != null) {
            fragments.clear();
        }
    }

    /**
     * Reads one whole frame {@code b[at, at + 9 + payload)} whose type is a header block type, or any
     * frame while a block is open (which refuses it, as Netty does).
     */
    Outcome read(byte[] b, int at, int payload, int type, int flags, int frameStreamId, long position) {
        headers = null;
        overLimit = false;
        if (open && type != FrameHeader.CONTINUATION) {
            abandon();
            return Outcome.CONNECTION_ERROR;
        }
        int p = at + FrameHeader.LENGTH;
        int end = p + payload;
        boolean padded = (flags & FrameHeader.FLAG_PADDED) != 0;
        switch (type) {
            case FrameHeader.HEADERS: {
                if (frameStreamId == 0) {
                    return Outcome.CONNECTION_ERROR;
                }
                boolean priority = (flags & PRIORITY_FLAG) != 0;
                if (payload < (padded ? 1 : 0) + (priority ? PRIORITY_BYTES : 0)) {
                    return Outcome.STREAM_ERROR;
                }
                int fragmentEnd = padded ? end - (b[p++] & 0xFF) : end;
                if (priority) {
                    if (FrameHeader.int31(b, p) == frameStreamId) {
                        return Outcome.STREAM_ERROR;
                    }
                    p += PRIORITY_BYTES;
                }
                if (fragmentEnd < p) {
                    return Outcome.CONNECTION_ERROR;
                }
                start(frameStreamId, (flags & FrameHeader.FLAG_END_STREAM) != 0, 0, position, payload);
                return fragment(b, p, fragmentEnd, flags);
            }
            case FrameHeader.PUSH_PROMISE: {
                if (payload < (padded ? 1 : 0) + 4) {
                    return Outcome.STREAM_ERROR;
                }
                int fragmentEnd = padded ? end - (b[p++] & 0xFF) : end;
                int promised = FrameHeader.int31(b, p);
                p += 4;
                if (fragmentEnd < p) {
                    return Outcome.CONNECTION_ERROR;
                }
                start(frameStreamId, false, promised, position, payload);
                return fragment(b, p, fragmentEnd, flags);
            }
            case FrameHeader.CONTINUATION: {
                if (frameStreamId == 0 || !open || frameStreamId != streamId) {
                    abandon();
                    return Outcome.CONNECTION_ERROR;
                }
                if (padded && payload < 1) {
                    abandon();
                    return Outcome.STREAM_ERROR;
                }
                blockBytes += FrameHeader.LENGTH + payload;
                // Netty takes a CONTINUATION's whole payload as fragment (the frame has no padding).
                return fragment(b, p, end, flags);
            }
            default:
                throw new IllegalArgumentException("not a header block frame: " + type);
        }
    }

    private void start(int stream, boolean endOfStream, int promised, long position, int payload) {
        open = true;
        streamId = stream;
        endStream = endOfStream;
        promisedStreamId = promised;
        blockPosition = position;
        blockBytes = FrameHeader.LENGTH + payload;
        if (fragments != null) {
            fragments.clear();
        }
    }

    private Outcome fragment(byte[] b, int from, int to, int flags) {
        ByteBuf block = fragments;
        if (block == null) {
            fragments = block = Unpooled.buffer(Math.max(256, to - from));
        }
        if (block.readableBytes() > maxBlockBytes - (to - from)) {
            abandon();
            return Outcome.CONNECTION_ERROR;
        }
        block.writeBytes(b, from, to - from);
        if ((flags & FrameHeader.FLAG_END_HEADERS) == 0) {
            return Outcome.OPEN;
        }
        open = false;
        try {
            headers = decoder.decodeHeaders(streamId, block);
            return Outcome.DECODED;
        } catch (Http2Exception e) {
            if (Http2Exception.isStreamError(e)) {
                overLimit = e instanceof Http2Exception.HeaderListSizeException || decoder.overLimit();
                return Outcome.STREAM_ERROR;
            }
            return Outcome.CONNECTION_ERROR;
        } catch (RuntimeException e) {
            return Outcome.CONNECTION_ERROR;
        } finally {
            if (block.capacity() > KEPT_BUFFER_BYTES) {
                fragments = null;
            } else {
                block.clear();
            }
        }
    }

    /** The decoded block, after {@link Outcome#DECODED}. */
    Http2Headers headers() {
        return headers;
    }

    /** The refused block held more than the header size limit. */
    boolean overLimit() {
        return overLimit || decoder.overLimit();
    }

    int streamId() {
        return streamId;
    }

    boolean endStream() {
        return endStream;
    }

    /** The promised stream of a PUSH_PROMISE block, else 0. */
    int promisedStreamId() {
        return promisedStreamId;
    }

    /** Stream position of the block's first frame (HEADERS or PUSH_PROMISE). */
    long blockPosition() {
        return blockPosition;
    }

    /** Bytes of the block's frames, headers included. */
    int blockBytes() {
        return blockBytes;
    }
}

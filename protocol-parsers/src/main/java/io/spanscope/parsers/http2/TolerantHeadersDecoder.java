package io.spanscope.parsers.http2;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersDecoder;


/**
 * The HPACK decoder one direction's {@code DefaultHttp2FrameReader} uses. While the dynamic table is
 * known, every block goes to Netty's {@link DefaultHttp2HeadersDecoder} as is. When the table is not
 * known (joined mid-stream, bytes lost, or Netty finds an index it does not have) it switches to a
 * {@link DegradedHpack} pass, and back to exact decoding once that pass has rebuilt the table.
 */
final class TolerantHeadersDecoder implements Http2HeadersDecoder {

    private final long maxTableBytes;
    private final int maxHeaderBytes;
    private DefaultHttp2HeadersDecoder exact;
    private DegradedHpack degraded;
    private int unknownFields;
    private boolean overLimit;
    private long degradations;

    TolerantHeadersDecoder(long maxTableBytes, int maxHeaderBytes, boolean tableKnown) {
        this.maxTableBytes = maxTableBytes;
        this.maxHeaderBytes = maxHeaderBytes;
        this.exact = newNettyDecoder(true);
        if (!tableKnown) {
            loseTable();
        }
    }

    /**
     * @param selective keep only the fields records use; the degraded pass needs every field (it sizes
     *                  table entries from them), so its shadow decoder keeps all
     */
    private DefaultHttp2HeadersDecoder newNettyDecoder(boolean selective) {
        // Not validating: an observer records what was sent, it does not police it.
        DefaultHttp2HeadersDecoder decoder = selective ? new ReusingHeadersDecoder(maxHeaderBytes)
                : new DefaultHttp2HeadersDecoder(false, false, maxHeaderBytes);
        try {
            decoder.maxHeaderTableSize(maxTableBytes);
            // The reader gives up on a block (connection error) only well beyond the list limit.
            decoder.maxHeaderListSize(maxHeaderBytes, 4L * maxHeaderBytes);
        } catch (Http2Exception e) {
            throw new IllegalArgumentException("HPACK limits: " + e.getMessage(), e);
        }
        return decoder;
    }

    /** From now on, dynamic entries added before this point are unknown. */
    void loseTable() {
        degraded = new DegradedHpack(newNettyDecoder(false), maxTableBytes, maxHeaderBytes);
        degradations++;
    }

    boolean isDegraded() {
        return degraded != null;
    }

    /** Fields of the last block whose value was unknown (they are missing from its headers). */
    int unknownFields() {
        return unknownFields;
    }

    /** The last block held more than the header size limit; the excess fields are missing. */
    boolean overLimit() {
        return overLimit;
    }

    @Override
    public Http2Headers decodeHeaders(int streamId, ByteBuf headerBlock) throws Http2Exception {
        unknownFields = 0;
        overLimit = false;
        if (degraded == null) {
            int start = headerBlock.readerIndex();
            try {
                return exact.decodeHeaders(streamId, headerBlock);
            } catch (Http2Exception e) {
                if (e.error() != Http2Error.COMPRESSION_ERROR) {
                    overLimit = e instanceof Http2Exception.HeaderListSizeException;
                    throw e;
                }
                // An index Netty's table does not have: our view of the table is wrong, not the peer.
                loseTable();
                headerBlock.readerIndex(start);
            }
        }
        return decodeDegraded(streamId, headerBlock);
    }

    private Http2Headers decodeDegraded(int streamId, ByteBuf block) throws Http2Exception {
        byte[] bytes;
        int from;
        if (block.hasArray()) {
            bytes = block.array();
            from = block.arrayOffset() + block.readerIndex();
        } else {
            bytes = new byte[block.readableBytes()];
            block.getBytes(block.readerIndex(), bytes);
            from = 0;
        }
        int length = block.readableBytes();
        block.skipBytes(length);
        Http2Headers headers;
        try {
            headers = degraded.decode(streamId, bytes, from, from + length);
        } catch (Http2Exception e) {
            loseTable();
            throw e;
        }
        unknownFields = degraded.unknownFields();
        overLimit = degraded.overLimit();
        if (degraded.isRebuilt()) {
            exact = degraded.shadow();
            degraded = null;
        }
        return headers;
    }

    @Override
    public Configuration configuration() {
        return exact.configuration();
    }

    /**
     * Decodes every block into the same headers object: the handler reads what it needs from a block
     * before the next one is decoded, so one per direction saves a hash table per block, and only the
     * fields the records use are kept ({@link RecordHeaders}; HPACK still decodes every field).
     */
    private static final class ReusingHeadersDecoder extends DefaultHttp2HeadersDecoder {
        private final RecordHeaders headers = new RecordHeaders();

        ReusingHeadersDecoder(int maxHeaderBytes) {
            super(false, false, maxHeaderBytes);
        }

        @Override
        protected Http2Headers newHeaders() {
            headers.clear();
            return headers;
        }
    }
}

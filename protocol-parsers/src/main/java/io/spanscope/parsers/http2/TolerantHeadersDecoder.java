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
    /** The exact decoder's reused headers while it is the selective one (not a rebuilt shadow), else null. */
    private RecordHeaders exactHeaders;
    private final IndexedBlockMemo memo = new IndexedBlockMemo();
    private DegradedHpack degraded;
    private int unknownFields;
    private boolean overLimit;
    private long degradations;

    TolerantHeadersDecoder(long maxTableBytes, int maxHeaderBytes, boolean tableKnown) {
        this.maxTableBytes = maxTableBytes;
        this.maxHeaderBytes = maxHeaderBytes;
        ReusingHeadersDecoder selective = new ReusingHeadersDecoder(maxHeaderBytes);
        limit(selective);
        this.exact = selective;
        this.exactHeaders = selective.headers;
        if (!tableKnown) {
            loseTable();
        }
    }

    /** A decoder that keeps every field: the degraded pass sizes table entries from them. */
    private DefaultHttp2HeadersDecoder newShadowDecoder() {
        // Not validating: an observer records what was sent, it does not police it.
        DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, false, maxHeaderBytes);
        limit(decoder);
        return decoder;
    }

    private void limit(DefaultHttp2HeadersDecoder decoder) {
        try {
            decoder.maxHeaderTableSize(maxTableBytes);
            // The reader gives up on a block (connection error) only well beyond the list limit.
            decoder.maxHeaderListSize(maxHeaderBytes, 4L * maxHeaderBytes);
        } catch (Http2Exception e) {
            throw new IllegalArgumentException("HPACK limits: " + e.getMessage(), e);
        }
    }

    /** From now on, dynamic entries added before this point are unknown. */
    void loseTable() {
        degraded = new DegradedHpack(newShadowDecoder(), maxTableBytes, maxHeaderBytes);
        memo.forget();
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
                return decodeExact(streamId, headerBlock);
            } catch (Http2Exception e) {
                // Netty may have applied part of the block to its table.
                memo.forget();
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

    /** Netty's decoder, unless the block is one of the memo's (then Netty would give the same fields). */
    private Http2Headers decodeExact(int streamId, ByteBuf block) throws Http2Exception {
        RecordHeaders reused = exactHeaders;
        if (reused == null || !block.hasArray()) {
            memo.forget();
            return exact.decodeHeaders(streamId, block);
        }
        byte[] bytes = block.array();
        int from = block.arrayOffset() + block.readerIndex();
        int to = from + block.readableBytes();
        RecordHeaders remembered = memo.find(bytes, from, to);
        if (remembered != null) {
            block.skipBytes(to - from);
            return remembered;
        }
        boolean onlyIndexed = IndexedBlockMemo.onlyIndexed(bytes, from, to);
        Http2Headers headers = exact.decodeHeaders(streamId, block);
        if (onlyIndexed) {
            memo.remember(bytes, from, to, reused);
        } else {
            memo.forget();
        }
        return headers;
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
            exactHeaders = null;
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

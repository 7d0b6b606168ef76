package io.spanscope.parsers.http2;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * HPACK for one direction whose dynamic table is partly unknown: capture joined the connection after
 * entries were added, or lost bytes of a header block. A hand-written walk over the field
 * representations (RFC 7541 §6) sorts each field into "decodable" (static table, literals, and dynamic
 * entries added since the loss) and "unknown" (dynamic entries from before it). Decodable fields are
 * handed one by one, unchanged, to a shadow Netty decoder that saw every insertion since the loss, so
 * Netty still does the Huffman and table work; unknown ones are counted and left out.
 *
 * <p>The shadow's table holds exactly the entries added since the loss, newest first, so a dynamic index
 * the encoder uses means the same entry in both as long as it is within the shadow's count. Once the
 * entries added since the loss fill the encoder's table, nothing from before can remain: {@link
 * #isRebuilt()} turns true and the shadow becomes the direction's exact decoder again.
 */
final class DegradedHpack {

    private static final int STATIC_TABLE_LENGTH = 61;
    private static final int ENTRY_OVERHEAD = 32;
    /** The encoder's table size unless a size update says otherwise (SETTINGS_HEADER_TABLE_SIZE default). */
    private static final int DEFAULT_TABLE_SIZE = 4096;
    private static final byte[] UNKNOWN_NAME = "x-spanscope-unknown-name".getBytes(StandardCharsets.US_ASCII);

    private final DefaultHttp2HeadersDecoder shadow;
    private final long maxTableBytes;
    private final int maxHeaderBytes;
    /** Sizes of the entries added since the loss, oldest first, as a ring; negative = placeholder name. */
    private int[] entrySizes = new int[16];
    private int first;
    private int count;
    private long knownBytes;
    private int placeholders;
    /** Set once the entries added since the loss needed the whole table: older ones were evicted. */
    private boolean olderEntriesGone;
    private long encoderTableBytes = DEFAULT_TABLE_SIZE;
    private int unknownFields;
    private boolean overLimit;

    DegradedHpack(DefaultHttp2HeadersDecoder shadow, long maxTableBytes, int maxHeaderBytes) {
        this.shadow = shadow;
        this.maxTableBytes = maxTableBytes;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    DefaultHttp2HeadersDecoder shadow() {
        return shadow;
    }

    /** Fields of the last block that referred to unknown entries. */
    int unknownFields() {
        return unknownFields;
    }

    /** Whether the last block's decoded fields exceeded the header size or count limit (the rest was left out). */
    boolean overLimit() {
        return overLimit;
    }

    /** No entry from before the loss can still be in the encoder's table, and no placeholder name is either. */
    boolean isRebuilt() {
        return placeholders == 0 && olderEntriesGone;
    }

    /**
     * Decodes what it can of one header block.
     *
     * @throws Http2Exception when the block is not HPACK at all (bad integer, string beyond the block)
     */
    Http2Headers decode(int streamId, byte[] block, int from, int to) throws Http2Exception {
        DefaultHttp2Headers headers = new DefaultHttp2Headers(false);
        unknownFields = 0;
        overLimit = false;
        long listBytes = 0;
        int p = from;
        while (p < to) {
            int start = p;
            int b = block[p] & 0xFF;
            if ((b & 0x80) != 0) {
                long index = readInt(block, p, to, 7);
                p = next;
                if (index == 0) {
                    throw malformed("index 0");
                }
                if (!known(index)) {
                    unknownFields++;
                    continue;
                }
                listBytes = add(headers, feed(streamId, block, start, p), listBytes);
            } else if ((b & 0xE0) == 0x20) {
                long size = readInt(block, p, to, 5);
                p = next;
                if (size > maxTableBytes) {
                    throw malformed("table size update beyond the limit");
                }
                feed(streamId, block, start, p);
                encoderTableBytes = size;
                olderEntriesGone |= knownBytes + ENTRY_OVERHEAD > size;
                evict();
            } else {
                boolean indexing = (b & 0x40) != 0;
                long nameIndex = readInt(block, p, to, indexing ? 6 : 4);
                p = next;
                if (nameIndex == 0) {
                    p = skipString(block, p, to);
                }
                int valueStart = p;
                p = skipString(block, p, to);
                boolean nameKnown = nameIndex == 0 || known(nameIndex);
                Map.Entry<CharSequence, CharSequence> field;
                if (nameKnown) {
                    field = single(feed(streamId, block, start, p));
                } else {
                    unknownFields++;
                    field = single(feed(streamId, withPlaceholderName(indexing, block, valueStart, p), 0, -1));
                }
                if (indexing) {
                    insert(field, !nameKnown);
                }
                if (nameKnown && field != null) {
                    listBytes = add(headers, field, listBytes);
                }
            }
        }
        return headers;
    }

    private long add(DefaultHttp2Headers headers, Http2Headers decoded, long listBytes) {
        return add(headers, single(decoded), listBytes);
    }

    private long add(DefaultHttp2Headers headers, Map.Entry<CharSequence, CharSequence> field, long listBytes) {
        if (field == null) {
            return listBytes;
        }
        long bytes = listBytes + field.getKey().length() + field.getValue().length() + ENTRY_OVERHEAD;
        if (bytes > maxHeaderBytes) {
            overLimit = true;
            return bytes;
        }
        headers.add(field.getKey(), field.getValue());
        return bytes;
    }

    private static Map.Entry<CharSequence, CharSequence> single(Http2Headers decoded) {
        return decoded.isEmpty() ? null : decoded.iterator().next();
    }

    private boolean known(long index) {
        return index <= STATIC_TABLE_LENGTH || index - STATIC_TABLE_LENGTH <= count;
    }

    private Http2Headers feed(int streamId, byte[] bytes, int from, int to) throws Http2Exception {
        int length = to < 0 ? bytes.length : to - from;
        return shadow.decodeHeaders(streamId, Unpooled.wrappedBuffer(bytes, from, length));
    }

    /** The same literal with its unknown name replaced by a literal placeholder, so the table stays aligned. */
    private static byte[] withPlaceholderName(boolean indexing, byte[] block, int valueStart, int valueEnd) {
        byte[] field = new byte[2 + UNKNOWN_NAME.length + valueEnd - valueStart];
        field[0] = (byte) (indexing ? 0x40 : 0x00);
        field[1] = (byte) UNKNOWN_NAME.length;
        System.arraycopy(UNKNOWN_NAME, 0, field, 2, UNKNOWN_NAME.length);
        System.arraycopy(block, valueStart, field, 2 + UNKNOWN_NAME.length, valueEnd - valueStart);
        return field;
    }

    private void insert(Map.Entry<CharSequence, CharSequence> field, boolean placeholder) {
        int size = field == null ? ENTRY_OVERHEAD
                : field.getKey().length() + field.getValue().length() + ENTRY_OVERHEAD;
        if (count == entrySizes.length) {
            int[] grown = new int[entrySizes.length * 2];
            for (int i = 0; i < count; i++) {
                grown[i] = entrySizes[(first + i) % entrySizes.length];
            }
            entrySizes = grown;
            first = 0;
        }
        entrySizes[(first + count) % entrySizes.length] = placeholder ? -size : size;
        count++;
        knownBytes += size;
        if (placeholder) {
            placeholders++;
        }
        // The encoder evicts oldest first: if the new entries leave no room for even the smallest older
        // one, every entry from before the loss is gone.
        olderEntriesGone |= knownBytes + ENTRY_OVERHEAD > encoderTableBytes;
        evict();
    }

    /** Drops the oldest entries the shadow itself would drop (it evicts by the same sizes). */
    private void evict() {
        long capacity = Math.min(encoderTableBytes, maxTableBytes);
        while (count > 0 && knownBytes > capacity) {
            int size = entrySizes[first];
            first = (first + 1) % entrySizes.length;
            count--;
            knownBytes -= Math.abs(size);
            if (size < 0) {
                placeholders--;
            }
        }
    }

    private int next;

    /** HPACK integer with an N-bit prefix (RFC 7541 §5.1); sets {@link #next} to the byte after it. */
    private long readInt(byte[] b, int p, int to, int prefixBits) throws Http2Exception {
        int max = (1 << prefixBits) - 1;
        long value = b[p] & max;
        p++;
        if (value == max) {
            int shift = 0;
            int octet;
            do {
                if (p >= to || shift > 28) {
                    throw malformed("integer");
                }
                octet = b[p++] & 0xFF;
                value += (long) (octet & 0x7F) << shift;
                shift += 7;
            } while ((octet & 0x80) != 0);
        }
        next = p;
        return value;
    }

    private int skipString(byte[] b, int p, int to) throws Http2Exception {
        if (p >= to) {
            throw malformed("string");
        }
        long length = readInt(b, p, to, 7);
        if (length > to - next) {
            throw malformed("string beyond the block");
        }
        return next + (int) length;
    }

    private static Http2Exception malformed(String what) {
        return Http2Exception.connectionError(io.netty.handler.codec.http2.Http2Error.COMPRESSION_ERROR,
                "HPACK (degraded pass): %s", what);
    }
}

package io.spanscope.parsers.http2;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Blocks of indexed fields only are decoded once and then restored while the table stays the same: the
 * bytes below are hand-written HPACK (RFC 7541 §6) so each case says exactly what changes the table.
 */
class IndexedBlockMemoTest {

    /** Literal with incremental indexing, name :path from the static table (index 4), raw value. */
    private static byte[] literalPath(String value) {
        byte[] b = new byte[2 + value.length()];
        b[0] = 0x44;
        b[1] = (byte) value.length();
        for (int i = 0; i < value.length(); i++) {
            b[2 + i] = (byte) value.charAt(i);
        }
        return b;
    }

    private static final byte[] NEWEST_DYNAMIC_ENTRY = {(byte) 0xBE};          // index 62
    private static final byte[] METHOD_POST_AND_NEWEST = {(byte) 0x83, (byte) 0xBE};

    private static Http2Headers decode(TolerantHeadersDecoder decoder, byte[] block) throws Exception {
        return decoder.decodeHeaders(1, Unpooled.wrappedBuffer(block));
    }

    @Test
    void onlyIndexedAcceptsIndexedRepresentationsAndNothingElse() {
        assertThat(IndexedBlockMemo.onlyIndexed(new byte[] {(byte) 0x82, (byte) 0x86, (byte) 0xBE}, 0, 3)).isTrue();
        // index 127 + 1 = 128 in two continuation bytes
        assertThat(IndexedBlockMemo.onlyIndexed(new byte[] {(byte) 0xFF, (byte) 0x81, 0x00}, 0, 3)).isTrue();
        assertThat(IndexedBlockMemo.onlyIndexed(new byte[] {(byte) 0xFF, (byte) 0x81}, 0, 2)).as("cut index").isFalse();
        assertThat(IndexedBlockMemo.onlyIndexed(literalPath("/a"), 0, 4)).as("literal").isFalse();
        assertThat(IndexedBlockMemo.onlyIndexed(new byte[] {(byte) 0x82, 0x3F, (byte) 0xE1, 0x1F}, 0, 4))
                .as("table size update").isFalse();
        assertThat(IndexedBlockMemo.onlyIndexed(new byte[0], 0, 0)).as("empty").isFalse();
        assertThat(IndexedBlockMemo.onlyIndexed(new byte[IndexedBlockMemo.MAX_BLOCK_BYTES + 1], 0,
                IndexedBlockMemo.MAX_BLOCK_BYTES + 1)).as("too long to keep").isFalse();
    }

    @Test
    void aRepeatedIndexedBlockGivesTheSameFieldsAsTheFirstDecode() throws Exception {
        TolerantHeadersDecoder decoder = new TolerantHeadersDecoder(65_536, 65_536, true);
        decode(decoder, literalPath("/pkg.Svc/Get"));
        CharSequence first = decode(decoder, METHOD_POST_AND_NEWEST).path();
        Http2Headers again = decode(decoder, METHOD_POST_AND_NEWEST);
        assertThat(again.path()).isSameAs(first);
        assertThat(again.method().toString()).isEqualTo("POST");
        assertThat(again.size()).isEqualTo(2);
        // another remembered block in between does not disturb the first
        assertThat(decode(decoder, NEWEST_DYNAMIC_ENTRY).method()).isNull();
        assertThat(decode(decoder, METHOD_POST_AND_NEWEST).method().toString()).isEqualTo("POST");
    }

    @Test
    void aBlockThatAddsAnEntryMakesRememberedIndicesMeanTheNewEntry() throws Exception {
        TolerantHeadersDecoder decoder = new TolerantHeadersDecoder(65_536, 65_536, true);
        decode(decoder, literalPath("/a"));
        assertThat(decode(decoder, NEWEST_DYNAMIC_ENTRY).path().toString()).isEqualTo("/a");
        assertThat(decode(decoder, NEWEST_DYNAMIC_ENTRY).path().toString()).isEqualTo("/a");

        decode(decoder, literalPath("/b"));   // now 62 is /b and 63 is /a
        assertThat(decode(decoder, NEWEST_DYNAMIC_ENTRY).path().toString()).isEqualTo("/b");
        assertThat(decode(decoder, new byte[] {(byte) 0xBF}).path().toString()).isEqualTo("/a");
    }

    @Test
    void aBlockHpackRejectsLeavesNothingRemembered() throws Exception {
        TolerantHeadersDecoder decoder = new TolerantHeadersDecoder(65_536, 65_536, true);
        decode(decoder, literalPath("/a"));
        assertThat(decode(decoder, NEWEST_DYNAMIC_ENTRY).path().toString()).isEqualTo("/a");
        // index 63 does not exist: the table is taken as unknown from here on, nothing is restored
        Http2Headers unknown = decode(decoder, new byte[] {(byte) 0xBF});
        assertThat(decoder.isDegraded()).isTrue();
        assertThat(unknown.path()).isNull();
        assertThat(decode(decoder, NEWEST_DYNAMIC_ENTRY).path()).as("62 predates the loss").isNull();
        assertThat(decoder.unknownFields()).isEqualTo(1);
    }
}

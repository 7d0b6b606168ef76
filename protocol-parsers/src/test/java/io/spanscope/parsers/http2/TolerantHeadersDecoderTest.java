package io.spanscope.parsers.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** HPACK with an unknown dynamic table: blocks from Netty's encoder, the decoder joining after some of them. */
class TolerantHeadersDecoderTest {

    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();

    private ByteBuf encode(Http2Headers headers) throws Exception {
        ByteBuf out = Unpooled.buffer();
        encoder.encodeHeaders(1, headers, out);
        return out;
    }

    private static Http2Headers call(String path, String user) {
        return new DefaultHttp2Headers().method("POST").path(path).scheme("http").authority("svc:50051")
                .add("content-type", "application/grpc").add("x-user", user);
    }

    @Test
    void joinedLateItKeepsStaticAndLiteralFieldsAndCountsTheRest() throws Exception {
        encode(call("/pkg.Svc/Get", "alice"));        // seen only by the encoder: its entries are unknown later
        TolerantHeadersDecoder decoder = new TolerantHeadersDecoder(65_536, 65_536, false);

        Http2Headers repeat = decoder.decodeHeaders(3, encode(call("/pkg.Svc/Get", "alice")));
        assertThat(repeat.method().toString()).isEqualTo("POST");          // static table
        assertThat(repeat.path()).isNull();                                // indexed before the join
        assertThat(decoder.unknownFields()).isPositive();

        Http2Headers fresh = decoder.decodeHeaders(5, encode(call("/pkg.Svc/Put", "alice")));
        assertThat(fresh.path().toString()).isEqualTo("/pkg.Svc/Put");     // first use: a literal
        Http2Headers again = decoder.decodeHeaders(7, encode(call("/pkg.Svc/Put", "bob")));
        assertThat(again.path().toString()).as("indexed after the join, so known").isEqualTo("/pkg.Svc/Put");
        // a new value under a name indexed before the join: the value is sent, the name is not known
        assertThat(again.get("x-user")).isNull();
        assertThat(decoder.unknownFields()).isPositive();
        assertThat(decoder.isDegraded()).isTrue();
    }

    @Test
    void onceNewEntriesFillTheTableDecodingIsExactAgain() throws Exception {
        encode(call("/pkg.Svc/Get", "alice"));
        TolerantHeadersDecoder decoder = new TolerantHeadersDecoder(65_536, 65_536, false);
        List<String> values = new ArrayList<>();
        // distinct values push every pre-join entry out of the encoder's 4096-byte table
        for (int i = 0; decoder.isDegraded() && i < 100; i++) {
            String path = "/pkg.Svc/Get" + i + "p".repeat(200);
            values.add(decoder.decodeHeaders(9, encode(call(path, "alice"))).path().toString());
        }
        assertThat(decoder.isDegraded()).isFalse();
        assertThat(values).allSatisfy(v -> assertThat(v).startsWith("/pkg.Svc/Get"));
        // what was indexed before the join has been evicted by the encoder: every field is known again
        Http2Headers exact = decoder.decodeHeaders(11, encode(call("/pkg.Svc/New", "carol")));
        assertThat(decoder.unknownFields()).isZero();
        assertThat(exact.path().toString()).isEqualTo("/pkg.Svc/New");
        assertThat(exact.get("content-type").toString()).isEqualTo("application/grpc");
        assertThat(exact.authority().toString()).isEqualTo("svc:50051");
    }

    @Test
    void aKnownTableThatTurnsOutWrongDegradesInsteadOfFailing() throws Exception {
        encode(call("/pkg.Svc/Get", "alice"));
        TolerantHeadersDecoder decoder = new TolerantHeadersDecoder(65_536, 65_536, true);
        Http2Headers headers = decoder.decodeHeaders(3, encode(call("/pkg.Svc/Get", "alice")));
        assertThat(decoder.isDegraded()).isTrue();
        assertThat(headers.method().toString()).isEqualTo("POST");
        assertThat(decoder.unknownFields()).isPositive();
    }

    @Test
    void bytesThatAreNotHpackAreRefused() {
        TolerantHeadersDecoder decoder = new TolerantHeadersDecoder(65_536, 65_536, false);
        // a literal whose string length runs past the block
        byte[] block = {0x40, 0x7F, (byte) 0xFF, (byte) 0xFF, 0x01, 'a'};
        assertThatThrownBy(() -> decoder.decodeHeaders(1, Unpooled.wrappedBuffer(block)))
                .isInstanceOf(io.netty.handler.codec.http2.Http2Exception.class);
        assertThat(decoder.isDegraded()).isTrue();
    }
}

package io.spanscope.parsers.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import static io.spanscope.parsers.http2.HeaderBlockReader.Outcome.CONNECTION_ERROR;
import static io.spanscope.parsers.http2.HeaderBlockReader.Outcome.DECODED;
import static io.spanscope.parsers.http2.HeaderBlockReader.Outcome.OPEN;
import static io.spanscope.parsers.http2.HeaderBlockReader.Outcome.STREAM_ERROR;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Header block frames read in place, by the rules of Netty's frame reader: header blocks from Netty's
 * own HPACK encoder, framed by hand (padding, priority, CONTINUATION splits, rule breaks).
 */
class HeaderBlockReaderTest {

    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;

    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final HeaderBlockReader reader =
            new HeaderBlockReader(new TolerantHeadersDecoder(4096, 1024, true), 1024);

    private byte[] block(String path) throws Exception {
        Http2Headers headers = new DefaultHttp2Headers().method("POST").path(path).scheme("http")
                .authority("svc:50051").add("content-type", "application/grpc").add("x-other", "dropped");
        ByteBuf out = Unpooled.buffer();
        encoder.encodeHeaders(1, headers, out);
        return ByteBufUtil.getBytes(out);
    }

    private static byte[] frame(int type, int flags, int streamId, byte[] payload) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(payload.length >>> 16);
        f.write(payload.length >>> 8);
        f.write(payload.length);
        f.write(type);
        f.write(flags);
        f.write(streamId >>> 24);
        f.write(streamId >>> 16);
        f.write(streamId >>> 8);
        f.write(streamId);
        f.writeBytes(payload);
        return f.toByteArray();
    }

    /** Reads a whole frame placed at offset 3 of a larger array, as the decoder hands them over. */
    private HeaderBlockReader.Outcome read(byte[] frame, long position) {
        byte[] around = new byte[frame.length + 6];
        System.arraycopy(frame, 0, around, 3, frame.length);
        int payload = frame.length - FrameHeader.LENGTH;
        return reader.read(around, 3, payload, frame[3] & 0xFF, frame[4] & 0xFF,
                FrameHeader.streamId(frame, 0), position);
    }

    @Test
    void aBlockSplitOverContinuationsIsDecodedOnceCompleteWithItsPositionAndSize() throws Exception {
        byte[] block = block("/pkg.Svc/Get");
        byte[] first = frame(FrameHeader.HEADERS, END_STREAM, 3, Arrays.copyOfRange(block, 0, 5));
        byte[] middle = frame(FrameHeader.CONTINUATION, 0, 3, Arrays.copyOfRange(block, 5, 9));
        byte[] last = frame(FrameHeader.CONTINUATION, END_HEADERS, 3, Arrays.copyOfRange(block, 9, block.length));

        assertThat(read(first, 1000)).isEqualTo(OPEN);
        assertThat(reader.isOpen()).isTrue();
        assertThat(read(middle, 1000 + first.length)).isEqualTo(OPEN);
        assertThat(read(last, 1000 + first.length + middle.length)).isEqualTo(DECODED);

        assertThat(reader.isOpen()).isFalse();
        assertThat(reader.streamId()).isEqualTo(3);
        assertThat(reader.endStream()).isTrue();
        assertThat(reader.blockPosition()).isEqualTo(1000);
        assertThat(reader.blockBytes()).isEqualTo(first.length + middle.length + last.length);
        assertThat(reader.headers().path().toString()).isEqualTo("/pkg.Svc/Get");
        assertThat(reader.headers().get("content-type").toString()).isEqualTo("application/grpc");
        assertThat(reader.headers().get("x-other")).as("not a field records use").isNull();
    }

    @Test
    void paddingAndPriorityFieldsAreSteppedOver() throws Exception {
        byte[] block = block("/pkg.Svc/Padded");
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.write(7);                                   // pad length
        payload.writeBytes(new byte[] {0, 0, 0, 1, 15});    // depends on stream 1, weight 16
        payload.writeBytes(block);
        payload.writeBytes(new byte[7]);                    // padding
        byte[] headers = frame(FrameHeader.HEADERS, END_HEADERS | PADDED | PRIORITY, 5, payload.toByteArray());

        assertThat(read(headers, 0)).isEqualTo(DECODED);
        assertThat(reader.headers().path().toString()).isEqualTo("/pkg.Svc/Padded");
        assertThat(reader.endStream()).isFalse();
    }

    @Test
    void aPushPromiseNamesItsPromisedStream() throws Exception {
        byte[] block = block("/pushed.css");
        byte[] payload = new byte[4 + block.length];
        payload[3] = 2;
        System.arraycopy(block, 0, payload, 4, block.length);

        assertThat(read(frame(FrameHeader.PUSH_PROMISE, END_HEADERS, 1, payload), 0)).isEqualTo(DECODED);
        assertThat(reader.promisedStreamId()).isEqualTo(2);
        assertThat(reader.headers().path().toString()).isEqualTo("/pushed.css");
    }

    @Test
    void whatNettysReaderRefusesIsRefusedTheSameWay() throws Exception {
        byte[] block = block("/pkg.Svc/Get");
        // any other frame while a block is open: connection error, the block is abandoned
        assertThat(read(frame(FrameHeader.HEADERS, 0, 3, block), 0)).isEqualTo(OPEN);
        assertThat(read(frame(FrameHeader.DATA, 0, 3, new byte[4]), 100)).isEqualTo(CONNECTION_ERROR);
        assertThat(reader.isOpen()).isFalse();
        // CONTINUATION of another stream, or with no block open
        assertThat(read(frame(FrameHeader.HEADERS, 0, 5, block("/a")), 200)).isEqualTo(OPEN);
        assertThat(read(frame(FrameHeader.CONTINUATION, END_HEADERS, 7, new byte[0]), 300)).isEqualTo(CONNECTION_ERROR);
        assertThat(read(frame(FrameHeader.CONTINUATION, END_HEADERS, 7, new byte[0]), 400)).isEqualTo(CONNECTION_ERROR);
        // HEADERS on stream 0; padding longer than the frame
        assertThat(read(frame(FrameHeader.HEADERS, END_HEADERS, 0, block), 500)).isEqualTo(CONNECTION_ERROR);
        assertThat(read(frame(FrameHeader.HEADERS, END_HEADERS | PADDED, 9, new byte[] {50, 1, 2}), 600))
                .isEqualTo(CONNECTION_ERROR);
        // a stream that depends on itself, a frame too short for its priority fields: that stream only
        assertThat(read(frame(FrameHeader.HEADERS, END_HEADERS | PRIORITY, 11, new byte[] {0, 0, 0, 11, 15}), 700))
                .isEqualTo(STREAM_ERROR);
        assertThat(read(frame(FrameHeader.HEADERS, END_HEADERS | PRIORITY, 13, new byte[] {0, 0}), 800))
                .isEqualTo(STREAM_ERROR);
        // and a well-formed block still decodes afterwards
        assertThat(read(frame(FrameHeader.HEADERS, END_HEADERS, 15, block("/after")), 900)).isEqualTo(DECODED);
        assertThat(reader.headers().path().toString()).isEqualTo("/after");
    }

    @Test
    void aBlockIsBoundedLikeNettyBoundsIt() {
        // 4 × maxHeaderBytes (1024) of fragments at most: CONTINUATIONs beyond it refuse the block
        assertThat(read(frame(FrameHeader.HEADERS, 0, 3, new byte[1500]), 0)).isEqualTo(OPEN);
        assertThat(read(frame(FrameHeader.CONTINUATION, 0, 3, new byte[1500]), 2000)).isEqualTo(OPEN);
        assertThat(read(frame(FrameHeader.CONTINUATION, 0, 3, new byte[1500]), 4000)).isEqualTo(CONNECTION_ERROR);
        assertThat(reader.isOpen()).isFalse();
    }
}

package io.spanscope.parsers.http2;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** gRPC length-prefixed messages counted from DATA payloads cut anywhere. */
class GrpcMessageCounterTest {

    private static byte[] messages(boolean compressed, int... lengths) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int length : lengths) {
            out.write(compressed ? 1 : 0);
            out.write(length >>> 24);
            out.write(length >>> 16);
            out.write(length >>> 8);
            out.write(length);
            for (int i = 0; i < length; i++) {
                out.write(i == 0 ? 7 : 2);   // payload bytes that are not a valid flag
            }
        }
        return out.toByteArray();
    }

    @Test
    void messagesAreCountedWhereverTheFramesCutThem() {
        byte[] data = messages(false, 3, 0, 300, 1);
        for (int cut1 = 0; cut1 <= data.length; cut1++) {
            for (int cut2 = cut1; cut2 <= data.length; cut2 += 7) {
                GrpcMessageCounter counter = new GrpcMessageCounter();
                counter.onData(data, 0, cut1);
                counter.onData(data, cut1, cut2);
                counter.onData(data, cut2, data.length);
                assertThat(counter.messages()).as("cut at %d and %d", cut1, cut2).isEqualTo(4);
                assertThat(counter.lost()).isFalse();
                assertThat(counter.anyCompressed()).isFalse();
            }
        }
    }

    @Test
    void theCompressedFlagIsNotedAndAnUndefinedFlagEndsCounting() {
        GrpcMessageCounter counter = new GrpcMessageCounter();
        byte[] compressed = messages(true, 4);
        counter.onData(compressed, 0, compressed.length);
        assertThat(counter.anyCompressed()).isTrue();

        byte[] garbage = {5, 0, 0, 0, 1, 9};
        counter.onData(garbage, 0, garbage.length);
        assertThat(counter.lost()).isTrue();
        assertThat(counter.messages()).isEqualTo(1);
        byte[] more = messages(false, 1);
        counter.onData(more, 0, more.length);
        assertThat(counter.messages()).as("no counting after the framing is lost").isEqualTo(1);
    }

    @Test
    void aLengthAboveTwoGigabytesIsSkippedAsUnsigned() {
        GrpcMessageCounter counter = new GrpcMessageCounter();
        byte[] huge = {0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0, 0, 0, 0, 0};
        counter.onData(huge, 0, huge.length);
        assertThat(counter.messages()).isEqualTo(1);
        assertThat(counter.lost()).isFalse();
    }
}

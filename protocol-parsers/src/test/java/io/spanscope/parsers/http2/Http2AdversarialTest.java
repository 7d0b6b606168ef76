package io.spanscope.parsers.http2;

import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.ParserStats;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordFlag;
import io.spanscope.parsers.testing.CollectingSink;
import io.spanscope.parsers.testing.Conversation;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Hostile and broken HTTP/2 input: bounded outcomes, counted, nothing thrown out of the parser. */
class Http2AdversarialTest {

    private final CollectingSink sink = new CollectingSink();
    private final ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), sink);
    private final Conversation conversation = Conversation.server();
    private long now = 1_000_000_000L;

    private void client(byte[] bytes) {
        tracker.onData(conversation.send(Direction.INGRESS, bytes, now += 1_000, 11));
    }

    private void server(byte[] bytes) {
        tracker.onData(conversation.send(Direction.EGRESS, bytes, now += 1_000, 22));
    }

    private static byte[] frame(int type, int flags, int streamId, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) (streamId >>> 24);
        f[6] = (byte) (streamId >>> 16);
        f[7] = (byte) (streamId >>> 8);
        f[8] = (byte) streamId;
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }

    private ParserStats.Snapshot stats() {
        return tracker.stats().snapshot();
    }

    /** One 4 KB entry inserted, then referenced 3 000 times: 12 MB of headers from a 3 KB block. */
    @Test
    void hpackBombIsCutAtTheHeaderLimitAndTheConnectionGoesOn() {
        tracker.onOpen(conversation.open(now, false));
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.writeBytes(new byte[] {(byte) 0x82, (byte) 0x84, (byte) 0x86});   // GET / http
        block.write(0x40);
        block.write(1);
        block.write('a');
        block.write(0x7F);                                                     // value length 4000
        block.writeBytes(new byte[] {(byte) (4000 - 127 & 0x7F | 0x80), (byte) ((4000 - 127) >>> 7)});
        block.writeBytes(new byte[4000]);
        for (int i = 0; i < 3000; i++) {
            block.write(0xBE);                                                 // dynamic index 62
        }
        H2Frames c = H2Frames.client();
        c.raw(frame(FrameHeader.HEADERS, FrameHeader.FLAG_END_HEADERS | FrameHeader.FLAG_END_STREAM, 1, block.toByteArray()));
        c.headers(3, H2Frames.request("GET", "/next"), true);
        client(c.take());
        server(H2Frames.server().headers(1, H2Frames.status(200), true).headers(3, H2Frames.status(200), true).take());
        tracker.onClose(conversation.close(now += 1_000));

        assertThat(stats().drops(DropReason.HEADER_LIMIT)).isPositive();
        assertThat(stats().drops(DropReason.HANDLER_FAILURE)).isZero();
        assertThat(sink.records()).hasSize(2);
        Record bomb = sink.records().stream().filter(r -> r.attributes().getLong("spanscope.http2.stream_id") == 1).findFirst().orElseThrow();
        Record next = sink.records().stream().filter(r -> r.attributes().getLong("spanscope.http2.stream_id") == 3).findFirst().orElseThrow();
        assertThat(bomb.hasFlag(RecordFlag.MALFORMED)).isTrue();
        assertThat(next.attributes().getString("url.path")).isEqualTo("/next");
        assertThat(next.isIntact()).as("HPACK state survives the bomb").isTrue();
    }

    @Test
    void oversizedFrameIsSkippedByLengthAndCounted() {
        tracker.onOpen(conversation.open(now, false));
        H2Frames c = H2Frames.client().headers(1, H2Frames.request("POST", "/big"), false);
        client(c.take());
        byte[] huge = frame(FrameHeader.DATA, FrameHeader.FLAG_END_STREAM, 1, new byte[1_000_000]);
        for (int at = 0; at < huge.length; at += 65_536) {
            client(Arrays.copyOfRange(huge, at, Math.min(huge.length, at + 65_536)));
        }
        client(c.headers(3, H2Frames.request("GET", "/small"), true).take());
        server(H2Frames.server().headers(1, H2Frames.status(200), true).headers(3, H2Frames.status(200), true).take());
        tracker.onClose(conversation.close(now += 1_000));

        assertThat(stats().drops(DropReason.HTTP2_OVERSIZED_FRAME)).isEqualTo(1);
        assertThat(stats().peakBufferedBytes()).isLessThan(ParserConfig.defaults().maxBufferedBytesPerDirection() * 2L);
        assertThat(sink.records()).extracting(r -> r.attributes().getString("url.path")).containsExactly("/big", "/small");
        assertThat(sink.records().get(0).hasFlag(RecordFlag.TRUNCATED_BODY)).isTrue();
    }

    @Test
    void garbageAfterThePrefaceIsCountedAndFramesAfterItAreFound() {
        tracker.onOpen(conversation.open(now, false));
        H2Frames c = H2Frames.client();
        client(c.take());
        byte[] garbage = new byte[5000];
        new Random(7).nextBytes(garbage);
        garbage[0] = (byte) 0xFF;     // an impossible frame length: not a frame
        client(garbage);
        client(c.headers(1, H2Frames.request("GET", "/still-here"), true).take());
        server(H2Frames.server().headers(1, H2Frames.status(200), true).take());
        tracker.onClose(conversation.close(now += 1_000));
        assertThat(stats().drops(DropReason.HANDLER_FAILURE)).isZero();
        assertThat(stats().drops(DropReason.HTTP2_MALFORMED_FRAME) + stats().drops(DropReason.HTTP2_OVERSIZED_FRAME)
                + stats().unparsedBytes()).isPositive();
    }

    @Test
    void connectionEndingMidFrameFlagsWhatIsPending() {
        tracker.onOpen(conversation.open(now, false));
        H2Frames c = H2Frames.client().headers(1, H2Frames.request("GET", "/cut"), true);
        client(c.take());
        byte[] response = H2Frames.server().headers(1, H2Frames.status(200), false).data(1, new byte[500], 0, true).take();
        server(Arrays.copyOf(response, response.length - 100));
        tracker.onClose(conversation.close(now += 1_000));
        Record r = sink.only();
        assertThat(r.attributes().get("http.response.status_code")).isEqualTo(200L);
        assertThat(r.hasFlag(RecordFlag.RESPONSE_INCOMPLETE)).isTrue();
    }

    /** Real conversations with random byte flips, cuts and splits, for a few seconds: nothing escapes. */
    @Test
    void randomMutationsNeverThrowAndStayBounded() {
        long deadline = System.nanoTime() + 3_000_000_000L;
        Random random = new Random(42);
        long conversations = 0;
        long records = 0;
        while (System.nanoTime() < deadline) {
            CollectingSink out = new CollectingSink();
            ConnectionTracker t = new ConnectionTracker(ParserConfig.defaults(), out);
            Conversation conv = new Conversation(4242, 7 + (int) conversations, io.spanscope.capture.event.Role.SERVER,
                    random.nextInt(), random.nextInt());
            t.onOpen(conv.open(1, random.nextInt(4) == 0));
            H2Frames c = H2Frames.client();
            H2Frames s = H2Frames.server();
            for (int stream = 1; stream < 12; stream += 2) {
                c.headers(stream, H2Frames.grpcRequest("/pkg.Svc/M" + (stream % 3)), false).grpcMessage(stream, random.nextInt(300), true);
                s.headers(stream, H2Frames.status(200).add("content-type", "application/grpc"), false)
                        .grpcMessage(stream, random.nextInt(300), false)
                        .headers(stream, new io.netty.handler.codec.http2.DefaultHttp2Headers().add("grpc-status", "0"), true);
            }
            byte[] request = mutate(c.take(), random);
            byte[] response = mutate(s.take(), random);
            deliver(t, conv, Direction.INGRESS, request, random);
            deliver(t, conv, Direction.EGRESS, response, random);
            t.onClose(conv.close(2));
            ParserStats.Snapshot snapshot = t.stats().snapshot();
            assertThat(snapshot.drops(DropReason.HANDLER_FAILURE)).as("exceptions out of the HTTP/2 handler").isZero();
            assertThat(snapshot.bufferedBytes()).isZero();
            assertThat(out.records()).allSatisfy(r -> assertThat(r.protocol()).isIn(Protocol.HTTP2, Protocol.GRPC));
            conversations++;
            records += out.records().size();
        }
        assertThat(conversations).isGreaterThan(50);
        assertThat(records).isPositive();
    }

    private static byte[] mutate(byte[] bytes, Random random) {
        byte[] out = bytes.clone();
        int flips = random.nextInt(4);
        for (int i = 0; i < flips; i++) {
            out[random.nextInt(out.length)] = (byte) random.nextInt(256);
        }
        if (random.nextInt(5) == 0) {
            out = Arrays.copyOf(out, random.nextInt(out.length));
        }
        return out;
    }

    private static void deliver(ConnectionTracker t, Conversation conv, Direction direction, byte[] bytes, Random random) {
        int at = 0;
        while (at < bytes.length) {
            int n = Math.min(bytes.length - at, 1 + random.nextInt(200));
            if (random.nextInt(30) == 0) {
                conv.lose(direction, n);
            } else {
                DataEvent e = conv.send(direction, Arrays.copyOfRange(bytes, at, at + n), 1_000 + at, 5);
                t.onData(e);
            }
            at += n;
        }
    }

    @Test
    void tooManyOpenStreamsAreBoundedAndCounted() {
        tracker.onOpen(conversation.open(now, false));
        H2Frames c = H2Frames.client();
        int limit = ParserConfig.defaults().maxPendingRequestsPerConnection();
        for (int i = 0; i < limit + 10; i++) {
            c.headers(1 + 2 * i, H2Frames.request("GET", "/s"), true);
        }
        client(c.take());
        assertThat(stats().drops(DropReason.PENDING_REQUEST_LIMIT)).isEqualTo(10);
        List<Record> evicted = sink.records();
        assertThat(evicted).hasSize(10).allSatisfy(r -> assertThat(r.hasFlag(RecordFlag.RESPONSE_MISSING)).isTrue());
    }
}

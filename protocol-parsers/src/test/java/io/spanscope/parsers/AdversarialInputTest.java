package io.spanscope.parsers;

import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordFlag;
import io.spanscope.parsers.testing.CollectingSink;
import io.spanscope.parsers.testing.Conversation;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.spanscope.parsers.testing.HttpSamples.CURL_GET;
import static io.spanscope.parsers.testing.HttpSamples.NGINX_JSON_200;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile and broken input: each test checks that nothing escapes (no handler failure counted), memory
 * stays under the configured bounds, and the specific outcome (counter, flag, record) is the right one.
 */
class AdversarialInputTest {

    private static final int BUFFER_LIMIT = 80 * 1024;
    private static final ParserConfig CONFIG = ParserConfig.builder()
            .maxHeaderBytes(64 * 1024)
            .maxBufferedBytesPerDirection(BUFFER_LIMIT)
            .maxTotalBufferedBytes(4L * 1024 * 1024)
            .build();

    private final CollectingSink sink = new CollectingSink();
    private final ConnectionTracker tracker = new ConnectionTracker(CONFIG, sink);

    private void assertNothingEscapedAndMemoryBounded() {
        assertThat(tracker.stats().drops(DropReason.HANDLER_FAILURE)).isZero();
        assertThat(tracker.stats().peakBufferedBytes()).isLessThanOrEqualTo(CONFIG.maxTotalBufferedBytes());
    }

    /** A valid exchange on a fresh connection: the tracker is still healthy. */
    private void assertStillParses(int fd) {
        int before = sink.records().size();
        Conversation c = new Conversation(1, fd, Role.SERVER, 1, 1);
        tracker.onOpen(c.open(0, false));
        c.request(CURL_GET, 1, 1);
        c.response(NGINX_JSON_200, 2, 1);
        c.events().forEach(tracker::onData);
        assertThat(sink.records()).hasSize(before + 1);
        assertThat(sink.records().get(before).isIntact()).isTrue();
    }

    @Test
    void randomBytesAreNeverParsedIntoRecordsAndNeverThrow() {
        Random random = new Random(20261125);
        int connections = 300;
        for (int fd = 0; fd < connections; fd++) {
            Conversation c = new Conversation(2, fd, Role.values()[fd % 3], random.nextInt(), random.nextInt());
            tracker.onOpen(c.open(0, fd % 2 == 0));
            for (int k = 0; k < 20; k++) {
                byte[] junk = new byte[1 + random.nextInt(3000)];
                random.nextBytes(junk);
                Direction d = random.nextBoolean() ? Direction.EGRESS : Direction.INGRESS;
                int count = random.nextInt(4) == 0 ? junk.length + random.nextInt(5000) : junk.length;
                tracker.onData(c.sendTruncated(d, junk, count, k, 1));
                assertThat(tracker.stats().bufferedBytes()).isLessThanOrEqualTo(CONFIG.maxTotalBufferedBytes());
            }
            tracker.onClose(c.close(100));
        }
        assertNothingEscapedAndMemoryBounded();
        assertThat(sink.records()).isEmpty();
        assertThat(tracker.stats().drops(DropReason.UNKNOWN_PROTOCOL))
                .as("connections seen from their start are declared unknown; joined ones keep scanning")
                .isEqualTo(connections / 2);
        assertThat(tracker.stats().unparsedBytes()).as("all but bytes waiting for detection at close")
                .isGreaterThan(tracker.stats().capturedBytes() - (long) connections * 2 * CONFIG.maxDetectionBytes());
        assertThat(tracker.stats().bufferedBytes()).isZero();
        assertStillParses(100_000);
    }

    @Test
    void randomBytesAfterAValidRequestHeadAreSurvivedWithResyncs() {
        Random random = new Random(7);
        for (int fd = 0; fd < 200; fd++) {
            Conversation c = new Conversation(3, fd, Role.SERVER, random.nextInt(), random.nextInt());
            tracker.onOpen(c.open(0, false));
            tracker.onData(c.request("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 1, 1));
            for (int k = 0; k < 10; k++) {
                byte[] junk = new byte[1 + random.nextInt(2000)];
                random.nextBytes(junk);
                if (k % 3 == 0) {
                    System.arraycopy(Conversation.bytes("\r\nHTTP/1.1 200 OK\r\n"), 0, junk, 0, Math.min(19, junk.length));
                }
                Direction d = random.nextBoolean() ? Direction.EGRESS : Direction.INGRESS;
                tracker.onData(c.send(d, junk, k, 1));
            }
            tracker.onClose(c.close(100));
        }
        assertNothingEscapedAndMemoryBounded();
        assertThat(tracker.stats().parseErrors()).isPositive();
        assertThat(sink.records()).isNotEmpty();
        assertThat(sink.records()).allMatch(r -> r.protocol() == Protocol.HTTP1);
        assertThat(tracker.stats().bufferedBytes()).isZero();
        assertStillParses(100_001);
    }

    @Test
    void mutatedRealConversationsNeverThrowNorInventExchanges() {
        Random random = new Random(1125);
        String requests = CURL_GET + io.spanscope.parsers.testing.HttpSamples.CURL_POST_JSON + CURL_GET;
        String responses = NGINX_JSON_200 + io.spanscope.parsers.testing.HttpSamples.HANDMADE_CHUNKED_201
                + io.spanscope.parsers.testing.HttpSamples.HANDMADE_CLOSE_DELIMITED;
        int conversations = 2_000;
        for (int fd = 0; fd < conversations; fd++) {
            Conversation c = new Conversation(6, fd, Role.SERVER, random.nextInt(), random.nextInt());
            tracker.onOpen(c.open(0, fd % 7 == 0));
            byte[] in = mutate(Conversation.bytes(requests), random);
            byte[] out = mutate(Conversation.bytes(responses), random);
            int i = 0;
            int o = 0;
            while (i < in.length || o < out.length) {
                boolean request = o >= out.length || i < in.length && random.nextBoolean();
                byte[] src = request ? in : out;
                int at = request ? i : o;
                int n = Math.min(src.length - at, 1 + random.nextInt(200));
                Direction d = request ? Direction.INGRESS : Direction.EGRESS;
                int fate = random.nextInt(20);
                if (fate == 0) {
                    c.lose(d, n);
                } else {
                    byte[] piece = java.util.Arrays.copyOfRange(src, at, at + n);
                    int captured = fate == 1 ? random.nextInt(n + 1) : n;
                    tracker.onData(c.sendTruncated(d, java.util.Arrays.copyOf(piece, captured), n, at, 1));
                }
                if (request) {
                    i += n;
                } else {
                    o += n;
                }
            }
            tracker.onClose(c.close(10_000));
        }
        assertNothingEscapedAndMemoryBounded();
        assertThat(tracker.stats().bufferedBytes()).isZero();
        assertThat(tracker.stats().activeConnections()).isZero();
        assertThat(sink.records().size()).as("never more exchanges than requests sent")
                .isLessThanOrEqualTo(3 * conversations).isGreaterThan(conversations);
        assertThat(sink.records()).filteredOn(Record::isIntact).isNotEmpty();
        assertThat(tracker.stats().parseErrors() + tracker.stats().resyncs()).isPositive();
    }

    /** A few bit flips, byte deletions or duplications: what a buggy peer or a bad capture produces. */
    private static byte[] mutate(byte[] b, Random random) {
        byte[] m = b.clone();
        int edits = random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(m.length);
            switch (random.nextInt(3)) {
                case 0 -> m[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> m = concat(java.util.Arrays.copyOf(m, at), java.util.Arrays.copyOfRange(m, at + 1, m.length));
                default -> m = concat(java.util.Arrays.copyOf(m, at + 1), java.util.Arrays.copyOfRange(m, at, m.length));
            }
        }
        return m;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void hundredThousandHeadersAreCutAtTheLimitAndTheNextRequestStillPairs() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        tracker.onData(c.request("GET /flood HTTP/1.1\r\nHost: x\r\n", 1, 1));
        StringBuilder block = new StringBuilder();
        for (int h = 0; h < 100_000; h++) {
            block.append("X-Flood-").append(h).append(": v\r\n");
            if (block.length() > 16_000) {
                tracker.onData(c.request(block.toString(), 2, 1));
                block.setLength(0);
                assertThat(tracker.stats().bufferedBytes()).isLessThanOrEqualTo(BUFFER_LIMIT);
            }
        }
        tracker.onData(c.request(block + "\r\n", 3, 1));
        tracker.onData(c.response("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n\r\n", 4, 1));
        tracker.onData(c.request(CURL_GET, 5, 1));
        tracker.onData(c.response(NGINX_JSON_200, 6, 1));

        assertNothingEscapedAndMemoryBounded();
        assertThat(tracker.stats().peakBufferedBytes()).isLessThanOrEqualTo(BUFFER_LIMIT);
        assertThat(tracker.stats().drops(DropReason.HEADER_LIMIT)).isEqualTo(1);
        assertThat(tracker.stats().parseErrors()).isEqualTo(1);
        assertThat(sink.records()).hasSize(2);
        Record flood = sink.records().get(0);
        assertThat(flood.hasFlag(RecordFlag.MALFORMED)).isTrue();
        assertThat(flood.attributes().getLong("http.response.status_code")).isEqualTo(431);
        assertThat(sink.records().get(1).isIntact()).isTrue();
        assertThat(sink.records().get(1).attributes().getString("url.path")).isEqualTo("/api/users/42");
    }

    @Test
    void headerCountLimitCutsAHeadThatIsSmallInBytes() {
        ConnectionTracker strict = new ConnectionTracker(CONFIG.toBuilder().maxHeaderCount(10).build(), sink);
        Conversation c = Conversation.server();
        strict.onOpen(c.open(0, false));
        StringBuilder head = new StringBuilder("GET /many HTTP/1.1\r\n");
        for (int h = 0; h < 11; h++) {
            head.append("X-").append(h).append(": 1\r\n");
        }
        c.request(head + "\r\n", 1, 1);
        c.response("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n\r\n", 2, 1);
        c.request(CURL_GET, 3, 1);
        c.response(NGINX_JSON_200, 4, 1);
        c.events().forEach(strict::onData);

        assertThat(strict.stats().drops(DropReason.HEADER_LIMIT)).isEqualTo(1);
        assertThat(sink.records()).hasSize(2);
        assertThat(sink.records().get(0).hasFlag(RecordFlag.MALFORMED)).isTrue();
        assertThat(sink.records().get(0).attributes().getLong("http.response.status_code")).isEqualTo(431);
        assertThat(sink.records().get(1).isIntact()).isTrue();
    }

    @Test
    void tenMebibyteHeaderBlockInOneSyscallIsNotBuffered() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        StringBuilder huge = new StringBuilder("GET /big HTTP/1.1\r\nX-Big: ");
        huge.append("a".repeat(10 * 1024 * 1024)).append("\r\n\r\n");
        tracker.onData(c.request(huge.toString(), 1, 1));
        tracker.onData(c.response("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 2, 1));

        assertNothingEscapedAndMemoryBounded();
        assertThat(tracker.stats().peakBufferedBytes()).isLessThanOrEqualTo(BUFFER_LIMIT);
        assertThat(tracker.stats().drops(DropReason.HEADER_LIMIT)).isEqualTo(1);
        assertThat(sink.only().hasFlag(RecordFlag.MALFORMED)).isTrue();
        assertThat(sink.only().requestBytes()).isEqualTo(huge.length());
    }

    @Test
    void invalidChunkSizesEndTheMessageFlaggedAndParsingResumes() {
        String[] badSizes = {"zz", "-1", "FFFFFFFFFFFFFFFFFFFF", "", "1 2", "\u0000"};
        for (int k = 0; k < badSizes.length; k++) {
            Conversation c = new Conversation(4, k, Role.CLIENT, k * 1000, k * 7777);
            tracker.onOpen(c.open(0, false));
            c.request(CURL_GET, 1, 1);
            c.response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + badSizes[k] + "\r\nxx\r\n0\r\n\r\n", 2, 1);
            c.request(CURL_GET, 3, 1);
            c.response(NGINX_JSON_200, 4, 1);
            c.events().forEach(tracker::onData);
        }
        assertNothingEscapedAndMemoryBounded();
        assertThat(tracker.stats().parseErrors()).isEqualTo(badSizes.length);
        assertThat(sink.records()).hasSize(2 * badSizes.length);
        for (int k = 0; k < badSizes.length; k++) {
            assertThat(sink.records().get(2 * k).hasFlag(RecordFlag.MALFORMED)).as(badSizes[k]).isTrue();
            assertThat(sink.records().get(2 * k + 1).isIntact()).as(badSizes[k]).isTrue();
        }
    }

    @Test
    void declaredGibibyteBodyIsCountedAsItStreamsByWithoutBuffering() {
        long size = 1L << 30;
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        tracker.onData(c.request("PUT /disk.img HTTP/1.1\r\nHost: x\r\nContent-Length: " + size + "\r\n\r\n", 1, 1));
        byte[] piece = new byte[64 * 1024];
        ConnectionId id = c.id();
        DataEvent event = new DataEvent().setConnection(id.tgid(), 1, id.fd(), id.generation())
                .setDirection(Direction.INGRESS).setRole(Role.SERVER);
        int seq = (int) c.sequence(Direction.INGRESS);
        for (long sent = 0; sent < size; sent += piece.length) {
            event.setTimestampNs(2 + sent / piece.length).setRange(seq, piece.length).setPayload(piece, 0, piece.length);
            tracker.onData(event);
            seq += piece.length;
        }
        c.lose(Direction.INGRESS, (int) size);
        tracker.onData(c.response("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 99_999, 1));

        assertNothingEscapedAndMemoryBounded();
        assertThat(tracker.stats().peakBufferedBytes()).isZero();
        Record r = sink.only();
        assertThat(r.isIntact()).isTrue();
        assertThat(r.attributes().getLong("http.request.body.size")).isEqualTo(size);
        assertThat(r.requestEndNs()).isEqualTo(2 + size / piece.length - 1);
    }

    @Test
    void negativeOverflowingAndConflictingContentLengthsAreMalformed() {
        String[] lengths = {"Content-Length: -1", "Content-Length: 99999999999999999999",
            "Content-Length: 5\r\nContent-Length: 6", "Content-Length: 0x10", "Content-Length: "};
        for (int k = 0; k < lengths.length; k++) {
            Conversation c = new Conversation(5, k, Role.SERVER, k, k);
            tracker.onOpen(c.open(0, false));
            c.request("POST /p HTTP/1.1\r\nHost: x\r\n" + lengths[k] + "\r\n\r\nhello", 1, 1);
            c.request(CURL_GET, 2, 1);
            c.response("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 3, 1);
            c.response(NGINX_JSON_200, 4, 1);
            c.events().forEach(tracker::onData);
        }
        assertNothingEscapedAndMemoryBounded();
        assertThat(tracker.stats().parseErrors()).isEqualTo(lengths.length);
        assertThat(sink.records()).hasSize(2 * lengths.length);
        for (int k = 0; k < lengths.length; k++) {
            assertThat(sink.records().get(2 * k).hasFlag(RecordFlag.MALFORMED)).as(lengths[k]).isTrue();
            assertThat(sink.records().get(2 * k + 1).attributes().getString("url.path")).as(lengths[k])
                    .isEqualTo("/api/users/42");
        }
    }

    @Test
    void nulBytesInTheRequestLineMakeItMalformedAndInHeaderValuesAreHarmless() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        c.request("GET /a\u0000b HTTP/1.1\r\nHost: x\r\n\r\n", 1, 1);
        c.response("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 2, 1);
        c.request("GET /ok HTTP/1.1\r\nHost: x\u0000y\r\nUser-Agent: \u0000\u0000\r\n\r\n", 3, 1);
        c.response("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n\u0000", 4, 1);
        c.events().forEach(tracker::onData);

        assertNothingEscapedAndMemoryBounded();
        assertThat(sink.records()).hasSize(2);
        assertThat(sink.records().get(0).hasFlag(RecordFlag.MALFORMED)).isTrue();
        assertThat(sink.records().get(1).isIntact()).isTrue();
        assertThat(sink.records().get(1).attributes().getString("server.address")).isEqualTo("x\u0000y");
        assertThat(tracker.stats().parseErrors()).isEqualTo(1);
    }

    @Test
    void handlerExceptionsStopAtTheTrackerAndAreCounted() {
        RuntimeException boom = new IllegalStateException("sink failure");
        ConnectionTracker failing = new ConnectionTracker(CONFIG, r -> {
            throw boom;
        });
        Conversation c = Conversation.server();
        failing.onOpen(c.open(0, false));
        c.request(CURL_GET, 1, 1);
        c.response(NGINX_JSON_200, 2, 1);
        c.request(CURL_GET, 3, 1);
        c.events().forEach(failing::onData);
        failing.onClose(c.close(4));

        assertThat(failing.stats().drops(DropReason.HANDLER_FAILURE)).isEqualTo(1);
        assertThat(failing.stats().unparsedBytes()).isEqualTo(CURL_GET.length());
        assertThat(failing.stats().bufferedBytes()).isZero();
    }
}

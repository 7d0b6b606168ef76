package io.spanscope.parsers;

import static io.spanscope.parsers.testing.HttpSamples.CURL_GET;
import static io.spanscope.parsers.testing.HttpSamples.NGINX_JSON_200;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.testing.CollectingSink;
import io.spanscope.parsers.testing.Conversation;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The capture's completion stamp on a server response (the client call whose completion woke the writing
 * thread) reaches the server record only from the chunk holding the response's first byte, and never becomes
 * a client record's cause; likewise the time a client thread last woke the writing thread.
 */
class CompletedCallStampTest {

    private static final long CALL_GENERATION = 77;
    private static final int CALL_RESPONSE_SEQUENCE = 0x9000_0001; // above 2^31: read back unsigned

    private final CollectingSink sink = new CollectingSink();
    private final ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), sink);

    @Test
    void aStampOnTheResponsesFirstChunkNamesTheCompletedCall() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(1_000, false));
        tracker.onData(c.request(CURL_GET, 2_000, 7));
        tracker.onData(c.response(NGINX_JSON_200, 3_000, 7).setCompletedCall(CALL_GENERATION, CALL_RESPONSE_SEQUENCE));

        Record record = sink.records().get(0);
        assertThat(record.hasCompletedCall()).isTrue();
        assertThat(record.completedCallGeneration()).isEqualTo(CALL_GENERATION);
        assertThat(record.completedCallSequence()).isEqualTo(Integer.toUnsignedLong(CALL_RESPONSE_SEQUENCE));
        assertThat(record.hasCause()).isFalse();
    }

    @Test
    void aStampOnlyOnALaterChunkOfTheResponseIsIgnored() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(1_000, false));
        tracker.onData(c.request(CURL_GET, 2_000, 7));
        byte[] response = NGINX_JSON_200.getBytes(StandardCharsets.ISO_8859_1);
        int headers = NGINX_JSON_200.indexOf("\r\n\r\n") + 4;
        tracker.onData(c.send(Direction.EGRESS, Arrays.copyOfRange(response, 0, headers), 3_000, 7));
        DataEvent body = c.send(Direction.EGRESS, Arrays.copyOfRange(response, headers, response.length), 3_100, 7);
        tracker.onData(body.setCompletedCall(CALL_GENERATION, CALL_RESPONSE_SEQUENCE));

        assertThat(sink.records()).singleElement().satisfies(r -> assertThat(r.hasCompletedCall()).isFalse());
    }

    @Test
    void anUnstampedResponseNamesNoCall() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(1_000, false));
        tracker.onData(c.request(CURL_GET, 2_000, 7));
        tracker.onData(c.response(NGINX_JSON_200, 3_000, 7));

        Record record = sink.records().get(0);
        assertThat(record.hasCompletedCall()).isFalse();
        assertThat(record.completedCallSequence()).isEqualTo(-1);
    }

    @Test
    void theClientWakeupOnTheResponsesFirstChunkReachesTheServerRecord() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(1_000, false));
        tracker.onData(c.request(CURL_GET, 2_000, 7));
        tracker.onData(c.response(NGINX_JSON_200, 3_000, 7).setClientWokenNs(2_500));

        assertThat(sink.records()).singleElement().satisfies(r -> {
            assertThat(r.clientWokenNs()).isEqualTo(2_500);
            assertThat(r.hasCompletedCall()).isFalse();
        });
    }

    @Test
    void aClientWakeupOnlyOnALaterChunkOfTheResponseIsIgnored() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(1_000, false));
        tracker.onData(c.request(CURL_GET, 2_000, 7));
        byte[] response = NGINX_JSON_200.getBytes(StandardCharsets.ISO_8859_1);
        int headers = NGINX_JSON_200.indexOf("\r\n\r\n") + 4;
        tracker.onData(c.send(Direction.EGRESS, Arrays.copyOfRange(response, 0, headers), 3_000, 7));
        DataEvent body = c.send(Direction.EGRESS, Arrays.copyOfRange(response, headers, response.length), 3_100, 7);
        tracker.onData(body.setClientWokenNs(3_050));

        assertThat(sink.records()).singleElement().satisfies(r -> assertThat(r.clientWokenNs()).isZero());
    }

    @Test
    void eachResponseOnAKeepAliveConnectionTakesItsOwnClientWakeup() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(1_000, false));
        tracker.onData(c.request(CURL_GET, 2_000, 7));
        tracker.onData(c.response(NGINX_JSON_200, 3_000, 7).setClientWokenNs(2_500));
        tracker.onData(c.request(CURL_GET, 4_000, 7));
        tracker.onData(c.response(NGINX_JSON_200, 5_000, 7));
        tracker.onData(c.request(CURL_GET, 6_000, 7));
        tracker.onData(c.response(NGINX_JSON_200, 7_000, 7).setClientWokenNs(6_500));

        assertThat(sink.records()).extracting(Record::clientWokenNs).containsExactly(2_500L, 0L, 6_500L);
    }
}

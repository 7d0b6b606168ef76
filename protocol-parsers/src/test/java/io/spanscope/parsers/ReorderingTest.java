package io.spanscope.parsers;

import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.testing.ChunkedScript;
import io.spanscope.parsers.testing.CollectingSink;
import io.spanscope.parsers.testing.Conversation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.spanscope.parsers.testing.HttpSamples.CURL_GET;
import static io.spanscope.parsers.testing.HttpSamples.CURL_POST_JSON;
import static io.spanscope.parsers.testing.HttpSamples.HANDMADE_CHUNKED_201;
import static io.spanscope.parsers.testing.HttpSamples.NGINX_JSON_200;
import static org.assertj.core.api.Assertions.assertThat;

class ReorderingTest {

    private static ChunkedScript script(Conversation c) {
        Direction in = Direction.INGRESS;
        Direction out = Direction.EGRESS;
        return new ChunkedScript(c)
                .phase(in, CURL_GET, 1_000, 1, 7, 13, 40)
                .phase(out, NGINX_JSON_200, 2_000, 2, 30, 5, 64)
                .phase(in, CURL_POST_JSON + CURL_GET, 3_000, 1, 11, 3)
                .phase(out, HANDMADE_CHUNKED_201 + NGINX_JSON_200, 4_000, 3, 17, 9, 1);
    }

    private static List<Record> run(Conversation c, List<DataEvent> events, ConnectionTracker[] trackerOut) {
        CollectingSink sink = new CollectingSink();
        ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), sink);
        tracker.onOpen(c.open(0, false));
        events.forEach(tracker::onData);
        tracker.onClose(c.close(9_999));
        trackerOut[0] = tracker;
        return sink.records();
    }

    @Test
    void outOfOrderAndDuplicatedChunksYieldTheSameRecordsAsInOrderDelivery() {
        ConnectionTracker[] tracker = new ConnectionTracker[1];
        Conversation reference = Conversation.server();
        List<Record> expected = run(reference, script(reference).inOrder(), tracker);
        assertThat(expected).hasSize(3);
        assertThat(expected).allMatch(Record::isIntact);
        assertThat(expected).extracting(r -> r.attributes().getString("http.request.method"))
                .containsExactly("GET", "POST", "GET");

        for (long seed = 1; seed <= 50; seed++) {
            Conversation c = Conversation.server();
            List<DataEvent> reordered = script(c).reordered(seed);
            List<Record> actual = run(c, reordered, tracker);
            assertThat(actual).as("seed %d", seed).map(Record::toString)
                    .containsExactlyElementsOf(expected.stream().map(Record::toString).toList());
            assertThat(tracker[0].stats().gaps()).as("seed %d", seed).isZero();
            assertThat(tracker[0].stats().outOfOrderChunks() + tracker[0].stats().duplicateBytes())
                    .as("seed %d exercised reordering", seed).isPositive();
            assertThat(tracker[0].stats().bufferedBytes()).isZero();
        }
    }
}

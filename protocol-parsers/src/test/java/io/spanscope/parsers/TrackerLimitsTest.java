package io.spanscope.parsers;

import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.record.RecordFlag;
import io.spanscope.parsers.testing.CollectingSink;
import io.spanscope.parsers.testing.Conversation;
import org.junit.jupiter.api.Test;

import static io.spanscope.parsers.testing.HttpSamples.CURL_GET;
import static io.spanscope.parsers.testing.HttpSamples.NGINX_JSON_200;
import static org.assertj.core.api.Assertions.assertThat;

class TrackerLimitsTest {

    private final CollectingSink sink = new CollectingSink();

    @Test
    void connectionsBeyondTheLimitEvictTheLeastRecentlyActiveOneWithItsPendingRequest() {
        ConnectionTracker tracker = new ConnectionTracker(ParserConfig.builder().maxConnections(4).build(), sink);
        for (int fd = 0; fd < 10; fd++) {
            Conversation c = new Conversation(1, fd, Role.SERVER, 0, 0);
            tracker.onOpen(c.open(fd, false));
            tracker.onData(c.request(CURL_GET, fd, 1));
        }
        assertThat(tracker.connectionCount()).isEqualTo(4);
        assertThat(tracker.stats().drops(DropReason.CONNECTION_LIMIT)).isEqualTo(6);
        assertThat(tracker.stats().connectionsEvicted()).isEqualTo(6);
        assertThat(tracker.stats().activeConnections()).isEqualTo(4);
        assertThat(sink.records()).hasSize(6).allMatch(r -> r.hasFlag(RecordFlag.RESPONSE_MISSING));
        assertThat(sink.records()).extracting(r -> r.connectionId().fd()).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void repeatedEventsOfOneConnectionKeepTheLeastRecentlyActiveOrderExact() {
        ConnectionTracker tracker = new ConnectionTracker(ParserConfig.builder().maxConnections(3).build(), sink);
        Conversation a = new Conversation(1, 1, Role.SERVER, 0, 0);
        Conversation b = new Conversation(1, 2, Role.SERVER, 0, 0);
        Conversation c = new Conversation(1, 3, Role.SERVER, 0, 0);
        tracker.onData(a.request(CURL_GET, 10, 1));
        tracker.onData(b.request(CURL_GET, 20, 1));
        tracker.onData(c.request(CURL_GET, 30, 1));
        // a burst of a's events, then b's: c is now the least recently active
        tracker.onData(a.response(NGINX_JSON_200, 40, 1));
        tracker.onData(a.request(CURL_GET, 50, 1));
        tracker.onData(b.response(NGINX_JSON_200, 60, 1));
        tracker.onData(b.request(CURL_GET, 70, 1));
        Conversation d = new Conversation(1, 4, Role.SERVER, 0, 0);
        tracker.onData(d.request(CURL_GET, 80, 1));
        // the same connection after a close and reopen of its fd is a new one, not the remembered one
        tracker.onClose(d.close(90));
        Conversation reopened = new Conversation(1, 4, Role.SERVER, 0, 0);
        tracker.onData(reopened.request(CURL_GET, 100, 1));

        assertThat(sink.records()).extracting(r -> r.connectionId().fd() + (r.isIntact() ? "" : " cut"))
                .containsExactly("1", "2", "3 cut", "4 cut");
        assertThat(tracker.connectionCount()).isEqualTo(3);
        assertThat(tracker.stats().drops(DropReason.CONNECTION_LIMIT)).isEqualTo(1);
    }

    @Test
    void idleConnectionsAreEvictedAndActiveOnesKept() {
        ConnectionTracker tracker = new ConnectionTracker(ParserConfig.builder().idleTimeoutNs(1_000).build(), sink);
        Conversation idle = new Conversation(1, 1, Role.SERVER, 0, 0);
        Conversation busy = new Conversation(1, 2, Role.SERVER, 0, 0);
        tracker.onOpen(idle.open(0, false));
        tracker.onOpen(busy.open(0, false));
        tracker.onData(idle.request(CURL_GET, 100, 1));
        tracker.onData(busy.request(CURL_GET, 100, 1));
        tracker.onData(busy.response(NGINX_JSON_200, 900, 1));

        assertThat(tracker.evictIdle(1_500)).isEqualTo(1);
        assertThat(tracker.connectionCount()).isEqualTo(1);
        assertThat(sink.records()).hasSize(2);
        assertThat(sink.records().get(1).hasFlag(RecordFlag.RESPONSE_MISSING)).isTrue();
        assertThat(sink.records().get(1).connectionId().fd()).isEqualTo(1);
    }

    @Test
    void pipelineDepthIsBounded() {
        ConnectionTracker tracker = new ConnectionTracker(
                ParserConfig.builder().maxPendingRequestsPerConnection(8).build(), sink);
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        tracker.onData(c.request(CURL_GET.repeat(20), 1, 1));
        assertThat(tracker.stats().drops(DropReason.PENDING_REQUEST_LIMIT)).isEqualTo(12);
        assertThat(sink.records()).hasSize(12).allMatch(r -> r.hasFlag(RecordFlag.RESPONSE_MISSING));
    }

    @Test
    void totalBufferBudgetIsSharedAcrossConnectionsAndEnforced() {
        ParserConfig config = ParserConfig.builder().maxTotalBufferedBytes(64 * 1024).build();
        ConnectionTracker tracker = new ConnectionTracker(config, sink);
        String partialHead = "GET /slow HTTP/1.1\r\nHost: x\r\nX-Pad: " + "p".repeat(3000);
        for (int fd = 0; fd < 100; fd++) {
            Conversation c = new Conversation(1, fd, Role.SERVER, 0, 0);
            tracker.onOpen(c.open(0, false));
            tracker.onData(c.request(partialHead, 1, 1));
            assertThat(tracker.stats().bufferedBytes()).isLessThanOrEqualTo(64 * 1024);
        }
        assertThat(tracker.stats().drops(DropReason.TOTAL_BUFFER_LIMIT)).isPositive();
        assertThat(tracker.stats().peakBufferedBytes()).isLessThanOrEqualTo(64 * 1024);
        tracker.endAll(10);
        assertThat(tracker.stats().bufferedBytes()).isZero();
        assertThat(tracker.connectionCount()).isZero();
    }

    @Test
    void outOfOrderHoldingIsBoundedPerDirection() {
        ParserConfig config = ParserConfig.builder().maxOutOfOrderBytesPerDirection(4096).build();
        ConnectionTracker tracker = new ConnectionTracker(config, sink);
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        tracker.onData(c.request("POST /up HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n", 1, 1));
        for (int k = 0; k < 100; k++) {
            c.lose(Direction.INGRESS, 10);
            tracker.onData(c.send(Direction.INGRESS, new byte[1000], 2 + k, 1));
            assertThat(tracker.stats().bufferedBytes()).isLessThanOrEqualTo(4096);
        }
        assertThat(tracker.stats().drops(DropReason.OUT_OF_ORDER_LIMIT)).isPositive();
        assertThat(tracker.stats().outOfOrderChunks()).isEqualTo(100);
    }
}

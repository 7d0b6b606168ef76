package io.spanscope.parsers;

import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordFlag;
import io.spanscope.parsers.testing.CollectingSink;
import io.spanscope.parsers.testing.Conversation;
import org.junit.jupiter.api.Test;

import static io.spanscope.parsers.testing.HttpSamples.CURL_GET;
import static io.spanscope.parsers.testing.HttpSamples.CURL_GET_ROOT;
import static io.spanscope.parsers.testing.HttpSamples.NGINX_JSON_200;
import static org.assertj.core.api.Assertions.assertThat;

class GapAndResyncTest {

    private final CollectingSink sink = new CollectingSink();
    private final ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), sink);

    @Test
    void truncatedSyscallInsideABodyIsSkippedByItsKnownLengthAndFlagged() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        c.request(CURL_GET, 10, 1);
        String head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n";
        byte[] captured = Conversation.bytes(head + "x".repeat(4096 - head.length()));
        c.sendTruncated(Direction.EGRESS, captured, head.length() + 60_000, 20, 1);
        c.sendTruncated(Direction.EGRESS, Conversation.bytes("y".repeat(4096)), 40_000, 30, 1);
        c.request(CURL_GET_ROOT, 40, 1);
        c.response(NGINX_JSON_200, 50, 1);
        c.events().forEach(tracker::onData);

        assertThat(sink.records()).hasSize(2);
        Record big = sink.records().get(0);
        assertThat(big.hasFlag(RecordFlag.TRUNCATED_BODY)).isTrue();
        assertThat(big.hasFlag(RecordFlag.GAP_IN_RESPONSE)).isFalse();
        assertThat(big.responseBytes()).isEqualTo(head.length() + 100_000);
        assertThat(big.responseEndNs()).isEqualTo(30);
        assertThat(big.attributes().getLong("http.response.body.size")).isEqualTo(100_000);
        assertThat(sink.records().get(1).isIntact()).isTrue();
        assertThat(sink.records().get(1).attributes().getString("url.path")).isEqualTo("/");
        assertThat(tracker.stats().resyncs()).isZero();
        assertThat(tracker.stats().gaps()).isEqualTo(2);
    }

    @Test
    void lostRangeInsideABodyIsSkippedOnceThePeerAnswers() {
        Conversation c = Conversation.client();
        tracker.onOpen(c.open(0, false));
        c.request(CURL_GET, 10, 1);
        c.response("HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n" + "a".repeat(1000), 20, 1);
        c.lose(Direction.INGRESS, 1000);
        c.response("c".repeat(1000), 30, 1);
        c.request(CURL_GET_ROOT, 40, 1);
        c.response(NGINX_JSON_200, 50, 1);
        c.events().forEach(tracker::onData);

        assertThat(sink.records()).hasSize(2);
        assertThat(sink.records().get(0).hasFlag(RecordFlag.TRUNCATED_BODY)).isTrue();
        assertThat(sink.records().get(0).responseEndNs()).isEqualTo(30);
        assertThat(sink.records().get(1).isIntact()).isTrue();
        assertThat(tracker.stats().gapBytes()).isEqualTo(1000);
    }

    @Test
    void gapInRequestHeadersResyncsAtTheNextRequestAndCountsOneResync() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        c.request(CURL_GET, 10, 1);
        c.response(NGINX_JSON_200, 20, 1);
        c.lose(Direction.INGRESS, 30);
        c.request(CURL_GET_ROOT.substring(30), 30, 1);
        c.response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 40, 1);
        c.request(CURL_GET, 50, 1);
        c.response(NGINX_JSON_200, 60, 1);
        c.events().forEach(tracker::onData);

        assertThat(sink.records()).hasSize(2);
        assertThat(sink.records()).allMatch(Record::isIntact);
        assertThat(sink.records().get(1).requestStartNs()).isEqualTo(50);
        assertThat(sink.records().get(1).responseStartNs()).isEqualTo(60);
        assertThat(tracker.stats().resyncs()).isEqualTo(1);
        assertThat(tracker.stats().drops(DropReason.UNPAIRED_RESPONSE)).isEqualTo(1);
    }

    @Test
    void gapInTheMiddleOfAResponseHeadFlagsThatExchangeAndKeepsPairingInStep() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        c.request(CURL_GET, 10, 1);
        c.response(NGINX_JSON_200.substring(0, 20), 20, 1);
        c.lose(Direction.EGRESS, 40);
        c.response(NGINX_JSON_200.substring(60), 21, 1);
        c.request(CURL_GET_ROOT, 30, 1);
        c.response(NGINX_JSON_200, 40, 1);
        c.events().forEach(tracker::onData);

        assertThat(sink.records()).hasSize(2);
        Record damaged = sink.records().get(0);
        assertThat(damaged.hasFlag(RecordFlag.GAP_IN_RESPONSE)).isTrue();
        assertThat(damaged.responseStartNs()).isEqualTo(20);
        assertThat(damaged.attributes().getString("url.path")).isEqualTo("/api/users/42");
        Record next = sink.records().get(1);
        assertThat(next.isIntact()).isTrue();
        assertThat(next.attributes().getString("url.path")).isEqualTo("/");
        assertThat(next.responseStartNs()).isEqualTo(40);
        assertThat(tracker.stats().resyncs()).isEqualTo(1);
    }

    @Test
    void captureJoiningInTheMiddleOfAResponseYieldsTheExchangesAfterTheCut() {
        Conversation c = Conversation.client();
        ConnectionOpenEvent open = c.open(0, true);
        tracker.onOpen(open);
        c.response(NGINX_JSON_200.substring(100), 10, 1);
        c.request(CURL_GET, 20, 1);
        c.response(NGINX_JSON_200, 30, 1);
        c.request(CURL_GET_ROOT, 40, 1);
        c.response(NGINX_JSON_200, 50, 1);
        c.events().forEach(tracker::onData);

        assertThat(sink.records()).hasSize(2);
        assertThat(sink.records()).allMatch(r -> r.hasFlag(RecordFlag.JOINED_MID_STREAM));
        assertThat(sink.records()).extracting(Record::requestStartNs).containsExactly(20L, 40L);
        assertThat(sink.records()).extracting(Record::responseStartNs).containsExactly(30L, 50L);
        assertThat(sink.records()).extracting(r -> r.flags().size()).containsExactly(1, 1);
        assertThat(tracker.stats().joinedConnections()).isEqualTo(1);
    }

    @Test
    void joinedConnectionWithoutOpenOrRoleInfersTheRoleFromWhichSideSendsRequests() {
        Conversation c = new Conversation(77, 3, Role.UNKNOWN, 500, 9000);
        DataEvent midResponse = c.send(Direction.EGRESS, Conversation.bytes("tail of a body\r\n"), 5, 1);
        DataEvent request = c.send(Direction.INGRESS, Conversation.bytes(CURL_GET), 10, 1);
        DataEvent response = c.send(Direction.EGRESS, Conversation.bytes(NGINX_JSON_200), 20, 2);
        tracker.onData(midResponse);
        tracker.onData(request);
        tracker.onData(response);

        Record r = sink.only();
        assertThat(r.role()).isEqualTo(Role.SERVER);
        assertThat(r.server()).isEqualTo(c.local());
        assertThat(r.requestSequence()).isEqualTo(9000);
        assertThat(r.responseSequence()).isEqualTo(500 + 16);
        assertThat(r.hasFlag(RecordFlag.JOINED_MID_STREAM)).isTrue();
    }
}

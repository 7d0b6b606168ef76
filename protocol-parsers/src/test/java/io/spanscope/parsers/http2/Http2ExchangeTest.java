package io.spanscope.parsers.http2;

import io.netty.handler.codec.http2.Http2Error;
import io.spanscope.capture.event.Direction;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordFlag;
import io.spanscope.parsers.testing.CollectingSink;
import io.spanscope.parsers.testing.Conversation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** HTTP/2 features the captures do not exercise, written by Netty's own frame writer and HPACK encoder. */
class Http2ExchangeTest {

    private final CollectingSink sink = new CollectingSink();
    private ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), sink);
    private final Conversation conversation = Conversation.server();
    private long now = 1_000_000_000L;

    private void start() {
        tracker.onOpen(conversation.open(now, false));
    }

    private void client(H2Frames frames) {
        tracker.onData(conversation.send(Direction.INGRESS, frames.take(), now += 1_000, 11));
    }

    private void server(H2Frames frames) {
        tracker.onData(conversation.send(Direction.EGRESS, frames.take(), now += 1_000, 22));
    }

    private List<Record> end() {
        tracker.onClose(conversation.close(now += 1_000));
        return sink.records();
    }

    @Test
    void serverPushIsRecordedAsItsOwnExchange() {
        start();
        H2Frames c = H2Frames.client().headers(1, H2Frames.request("GET", "/index.html"), true);
        client(c);
        H2Frames s = H2Frames.server()
                .pushPromise(1, 2, H2Frames.request("GET", "/style.css"))
                .headers(1, H2Frames.status(200), false).data(1, new byte[100], 0, true)
                .headers(2, H2Frames.status(200), false).data(2, new byte[40], 0, true);
        server(s);
        List<Record> records = end();

        assertThat(records).hasSize(2);
        Record page = records.stream().filter(r -> "/index.html".equals(r.attributes().getString("url.path"))).findFirst().orElseThrow();
        Record pushed = records.stream().filter(r -> "/style.css".equals(r.attributes().getString("url.path"))).findFirst().orElseThrow();
        assertThat(page.attributes().get("http.response.body.size")).isEqualTo(100L);
        assertThat(pushed.attributes().get("spanscope.http2.server_push")).isEqualTo(Boolean.TRUE);
        assertThat(pushed.attributes().get("http.response.body.size")).isEqualTo(40L);
        assertThat(pushed.isIntact()).isTrue();
        assertThat(page.isIntact()).isTrue();
    }

    @Test
    void rstStreamEndsTheExchangeWithItsErrorCode() {
        start();
        client(H2Frames.client().headers(1, H2Frames.request("GET", "/slow"), true));
        server(H2Frames.server().rst(1, Http2Error.REFUSED_STREAM));
        Record r = sink.only();
        assertThat(r.attributes().getString("error.type")).isEqualTo("REFUSED_STREAM");
        assertThat(r.attributes().getString("spanscope.http2.rst_stream.by")).isEqualTo("server");
        assertThat(r.hasFlag(RecordFlag.RESPONSE_MISSING)).isFalse();
        assertThat(r.responseSequence()).as("the RST_STREAM frame is the response").isNotNegative();
    }

    @Test
    void clientCancellingAGrpcCallIsCancelled() {
        start();
        client(H2Frames.client().headers(1, H2Frames.grpcRequest("/pkg.Svc/Watch"), false).grpcMessage(1, 10, false));
        server(H2Frames.server().headers(1, H2Frames.status(200).add("content-type", "application/grpc"), false)
                .grpcMessage(1, 3, false).grpcMessage(1, 4, false));
        client(new H2Frames().rst(1, Http2Error.CANCEL));
        Record r = sink.only();
        assertThat(r.protocol()).isEqualTo(Protocol.GRPC);
        assertThat(r.attributes().getString("error.type")).isEqualTo("CANCEL");
        assertThat(r.attributes().get("spanscope.grpc.response.messages")).isEqualTo(2L);
        assertThat(r.attributes().get("spanscope.grpc.request.messages")).isEqualTo(1L);
        assertThat(r.attributes().getString("rpc.method")).isEqualTo("Watch");
    }

    @Test
    void goAwayRefusesTheStreamsAboveItsLastId() {
        start();
        client(H2Frames.client().headers(1, H2Frames.request("GET", "/a"), true).headers(3, H2Frames.request("GET", "/b"), true));
        server(H2Frames.server().goAway(1, Http2Error.NO_ERROR).headers(1, H2Frames.status(204), true));
        List<Record> records = end();
        assertThat(records).extracting(r -> r.attributes().getString("url.path")).containsExactlyInAnyOrder("/a", "/b");
        Record refused = records.stream().filter(r -> "/b".equals(r.attributes().getString("url.path"))).findFirst().orElseThrow();
        assertThat(refused.attributes().getString("error.type")).isEqualTo("REFUSED_STREAM");
        assertThat(refused.hasFlag(RecordFlag.RESPONSE_MISSING)).isTrue();
    }

    @Test
    void continuationFramesAndPaddingAreDecoded() {
        start();
        // a 20 KB header value does not fit one 16 KB frame: HEADERS + CONTINUATION
        String big = "x".repeat(20_000);
        client(H2Frames.client().headers(1, H2Frames.request("POST", "/upload").add("x-big", big), 17, false)
                .data(1, new byte[300], 33, true));
        server(H2Frames.server().headers(1, H2Frames.status(201), 5, false).data(1, new byte[7], 200, true));
        Record r = sink.only();
        assertThat(r.attributes().getString("url.path")).isEqualTo("/upload");
        assertThat(r.attributes().get("http.request.body.size")).isEqualTo(300L);
        assertThat(r.attributes().get("http.response.body.size")).isEqualTo(7L);
        assertThat(r.attributes().get("http.response.status_code")).isEqualTo(201L);
        assertThat(r.requestBytes()).as("more than one 16 KB frame of headers").isGreaterThan(16_384 + 300);
        assertThat(r.isIntact()).isTrue();
    }

    @Test
    void longStreamsReportPartialRecordsAtTheConfiguredInterval() {
        tracker = new ConnectionTracker(ParserConfig.builder().streamReportIntervalNs(1_000_000_000L).build(), sink);
        start();
        client(H2Frames.client().headers(1, H2Frames.grpcRequest("/pkg.Feed/Follow"), false).grpcMessage(1, 5, false));
        H2Frames s = H2Frames.server();
        s.headers(1, H2Frames.status(200).add("content-type", "application/grpc"), false);
        server(s);
        for (int i = 0; i < 5; i++) {
            now += 600_000_000L;
            server(s.grpcMessage(1, 10, false));
        }
        client(new H2Frames().data(1, new byte[0], 0, true));
        server(s.headers(1, new io.netty.handler.codec.http2.DefaultHttp2Headers().add("grpc-status", "0"), true));

        List<Record> records = sink.records();
        List<Record> partial = records.stream().filter(r -> r.attributes().get("spanscope.http2.partial") != null).toList();
        assertThat(partial).hasSize(2);
        assertThat(partial).extracting(r -> r.attributes().get("spanscope.grpc.response.messages")).containsExactly(2L, 4L);
        Record last = records.get(records.size() - 1);
        assertThat(last.attributes().get("spanscope.http2.partial")).isNull();
        assertThat(last.attributes().get("spanscope.http2.partial_reports")).isEqualTo(2L);
        assertThat(last.attributes().get("spanscope.grpc.response.messages")).isEqualTo(5L);
        assertThat(last.attributes().get("rpc.grpc.status_code")).isEqualTo(0L);
        assertThat(partial.get(0).requestSequence()).isEqualTo(last.requestSequence());
    }

    @Test
    void lostDataBytesTruncateOneStreamAndTheNextStreamIsIntact() {
        start();
        client(H2Frames.client().headers(1, H2Frames.grpcRequest("/pkg.Svc/Put"), false));
        H2Frames c = new H2Frames();
        byte[] frame = c.grpcMessage(1, 2000, true).take();
        // the DATA frame's first 1000 bytes arrive, the rest is lost, then the next stream follows
        tracker.onData(conversation.send(Direction.INGRESS, java.util.Arrays.copyOf(frame, 1000), now += 1_000, 11));
        conversation.lose(Direction.INGRESS, frame.length - 1000);
        client(c.headers(3, H2Frames.grpcRequest("/pkg.Svc/Get"), true));
        H2Frames s = H2Frames.server();
        server(s.headers(1, H2Frames.status(200).add("content-type", "application/grpc").add("grpc-status", "0"), true)
                .headers(3, H2Frames.status(200).add("content-type", "application/grpc").add("grpc-status", "0"), true));
        List<Record> records = end();
        assertThat(records).hasSize(2);
        assertThat(records.get(0).hasFlag(RecordFlag.TRUNCATED_BODY)).isTrue();
        assertThat(records.get(0).attributes().get("spanscope.grpc.message_counts_partial")).isEqualTo(Boolean.TRUE);
        assertThat(records.get(1).attributes().getString("rpc.method")).isEqualTo("Get");
        assertThat(records.get(1).isIntact()).isTrue();
        assertThat(tracker.stats().snapshot().resyncs()).isZero();
    }

    @Test
    void lostHeaderBytesResyncAndDegradeHpackInsteadOfDroppingTheConnection() {
        start();
        H2Frames c = H2Frames.client();
        client(c.headers(1, H2Frames.request("GET", "/first"), true));
        server(H2Frames.server().headers(1, H2Frames.status(200), true));
        byte[] lost = c.headers(3, H2Frames.request("GET", "/lost").add("x-trace", "abc"), true).take();
        conversation.lose(Direction.INGRESS, lost.length);
        client(c.headers(5, H2Frames.request("GET", "/after-gap"), true));
        server(new H2Frames().headers(5, H2Frames.status(200), true));
        List<Record> records = end();
        assertThat(records).extracting(r -> r.attributes().getString("url.path")).containsExactly("/first", "/after-gap");
        assertThat(tracker.stats().snapshot().resyncs()).isEqualTo(1);
        assertThat(tracker.stats().snapshot().drops(DropReason.HANDLER_FAILURE)).isZero();
    }
}

package io.spanscope.parsers.http2;

import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.record.Attributes;
import io.spanscope.parsers.record.ConnectionInfo;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A connection's factory copies the previous record's attributes when a stream repeats it in all but
 * the id: for every value the attributes are made of, a stream that differs in it must get exactly the
 * attributes a factory that never saw the previous stream gives it.
 */
class Http2RecordFactoryTest {

    private static final ConnectionInfo CONNECTION = new ConnectionInfo(new ConnectionId(10, 7, 1), Role.SERVER,
            new Endpoint(InetAddress.getLoopbackAddress(), 50051), new Endpoint(InetAddress.getLoopbackAddress(), 41000),
            false);

    private static Http2RecordFactory factory() {
        return new Http2RecordFactory(CONNECTION, ParserConfig.defaults());
    }

    /** A completed unary gRPC call on stream {@code id}. */
    private static Http2Stream unaryCall(int id) {
        Http2Stream s = new Http2Stream(id);
        s.method = "POST";
        s.path = "/pkg.Echo/Say";
        s.authority = "127.0.0.1:50051";
        s.userAgent = "grpc-go/1.76.0";
        s.requestContentType = "application/grpc";
        s.responseContentType = "application/grpc";
        s.status = 200;
        s.grpcStatus = 0;
        s.grpcMessage = "";
        byte[] message = {0, 0, 0, 0, 3, 'a', 'b', 'c'};
        s.request.messages.onData(message, 0, message.length);
        s.response.messages.onData(message, 0, message.length);
        s.request.bodyBytes = message.length;
        s.response.bodyBytes = message.length;
        s.request.ended = true;
        s.response.ended = true;
        return s;
    }

    private static Map<String, Object> attributesAfter(Http2Stream previous, Http2Stream stream) {
        Http2RecordFactory factory = factory();
        if (previous != null) {
            factory.build(previous, false);
        }
        return factory.build(stream, false).attributes().asMap();
    }

    @Test
    void aStreamRepeatingThePreviousOneGetsItsAttributesWithItsOwnId() {
        Map<String, Object> repeated = attributesAfter(unaryCall(1), unaryCall(3));
        assertThat(repeated).isEqualTo(attributesAfter(null, unaryCall(3)));
        assertThat(repeated).containsEntry("spanscope.http2.stream_id", 3L).containsEntry("rpc.method", "Say");
    }

    @Test
    void aStreamDifferingInAnyValueGetsTheAttributesOfAFreshBuild() {
        Map<String, Consumer<Http2Stream>> changes = new LinkedHashMap<>();
        changes.put("method", s -> s.method = "GET");
        changes.put("path", s -> s.path = "/pkg.Echo/Shout");
        changes.put("authority", s -> s.authority = "svc:443");
        changes.put("user agent", s -> s.userAgent = "grpc-java/1.66");
        changes.put("request content type", s -> s.requestContentType = "application/grpc+proto");
        changes.put("response content type", s -> s.responseContentType = null);
        changes.put("status", s -> s.status = 503);
        changes.put("grpc status", s -> s.grpcStatus = 5);
        changes.put("grpc message", s -> s.grpcMessage = "not found");
        changes.put("reset", s -> s.resetCode = 8);
        changes.put("reset by client", s -> {
            s.resetCode = 8;
            s.resetByClient = true;
        });
        changes.put("goaway", s -> s.refusedByGoAway = true);
        changes.put("pushed", s -> s.pushed = true);
        changes.put("upgraded", s -> s.upgraded = true);
        changes.put("unknown fields", s -> s.response.unknownHeaderFields = 2);
        changes.put("request body", s -> s.request.bodyBytes = 300);
        changes.put("response body", s -> s.response.bodyBytes = 0);
        changes.put("request messages", s -> s.request.messages.onData(new byte[] {0, 0, 0, 0, 0}, 0, 5));
        changes.put("response compressed", s -> s.response.messages.onData(new byte[] {1, 0, 0, 0, 0}, 0, 5));
        changes.put("request counts lost", s -> s.request.messages.onLoss());
        changes.put("earlier partial reports", s -> s.partialReports = 2);
        for (Map.Entry<String, Consumer<Http2Stream>> change : changes.entrySet()) {
            Http2Stream changed = unaryCall(3);
            change.getValue().accept(changed);
            Http2Stream alike = unaryCall(3);
            change.getValue().accept(alike);
            Map<String, Object> afterPrevious = attributesAfter(unaryCall(1), changed);
            assertThat(afterPrevious).as(change.getKey()).isEqualTo(attributesAfter(null, alike))
                    .isNotEqualTo(attributesAfter(null, unaryCall(3)));
        }
    }

    @Test
    void aPartialReportIsNeverTakenForTheFinalRecord() {
        Http2RecordFactory factory = factory();
        Http2Stream stream = unaryCall(5);
        factory.build(stream, false);
        Attributes partial = factory.build(stream, true).attributes();
        assertThat(partial.get("spanscope.http2.partial")).isEqualTo(Boolean.TRUE);
    }
}

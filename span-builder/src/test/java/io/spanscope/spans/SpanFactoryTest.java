package io.spanscope.spans;

import static io.spanscope.spans.TestExchanges.CLOCK;
import static io.spanscope.spans.TestExchanges.clientRecord;
import static io.spanscope.spans.TestExchanges.endpoint;
import static io.spanscope.spans.TestExchanges.httpGet;
import static io.spanscope.spans.TestExchanges.serverRecord;
import static io.spanscope.spans.TestExchanges.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.parsers.record.Attributes;
import io.spanscope.parsers.record.ConnectionSetup;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordFlag;
import io.spanscope.spans.ids.SpanIds;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanFactoryTest {

    private static final long Q = 0x1111_2222L;
    private static final long R = 0x3333_4444L;
    private final SpanFactory factory = new SpanFactory(CLOCK);

    private ExchangeSpan create(Record.Builder record) {
        return factory.create(record.build(), service("svc"), null);
    }

    private static String str(ExchangeSpan span, String key) {
        return span.attributes().get(AttributeKey.stringKey(key));
    }

    private static Long num(ExchangeSpan span, String key) {
        return span.attributes().get(AttributeKey.longKey(key));
    }

    @Test
    void serverSpanHasItsIdItsRemoteParentAndServerSideAttributes() {
        ExchangeSpan span = factory.create(serverRecord(10, 11, 5_000, 9_000, Q, R).build(), service("frontend"), "x");

        assertThat(span.kind()).isEqualTo(SpanKind.SERVER);
        assertThat(span.name()).isEqualTo("GET /orders/{id}");
        assertThat(span.spanId()).isEqualTo(SpanIds.server(Q, R));
        assertThat(span.remoteParentSpanId()).isEqualTo(SpanIds.client(Q, R));
        assertThat(span.startEpochNanos()).isEqualTo(CLOCK.toEpochNanos(5_000));
        assertThat(span.endEpochNanos()).isEqualTo(CLOCK.toEpochNanos(9_000));
        assertThat(span.startNs()).isEqualTo(5_000);
        assertThat(span.endNs()).isEqualTo(9_000);
        assertThat(span.service().serviceName()).isEqualTo("frontend");
        assertThat(span.status().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(span.error()).isFalse();

        assertThat(str(span, "http.request.method")).isEqualTo("GET");
        assertThat(str(span, "url.path")).isEqualTo("/orders/7");
        assertThat(num(span, "http.response.status_code")).isEqualTo(200L);
        assertThat(str(span, "network.peer.address")).isEqualTo("10.0.0.9");
        assertThat(num(span, "network.peer.port")).isEqualTo(40_000L);
        assertThat(str(span, "network.type")).isEqualTo("ipv4");
        assertThat(str(span, "network.transport")).isEqualTo("tcp");
        assertThat(str(span, "client.address")).isEqualTo("10.0.0.9");
        assertThat(num(span, "client.port")).isEqualTo(40_000L);
        assertThat(num(span, "server.port")).isEqualTo(80L);
        assertThat(str(span, "server.address")).isNull();
        assertThat(num(span, "thread.id")).isEqualTo(11L);
        assertThat(num(span, "spanscope.request.size")).isEqualTo(120L);
        assertThat(num(span, "spanscope.response.size")).isEqualTo(480L);
        // peer.service names the callee of a client span; a server span never carries it
        assertThat(str(span, "peer.service")).isNull();
        assertThat(span.attributes().get(SpanFactory.CAPTURE_DAMAGE)).isNull();
    }

    @Test
    void clientSpanNamesItsPeerAndFallsBackToThePeerAddressForServerAddress() {
        ExchangeSpan span = factory.create(clientRecord(10, 12, 6_000, 8_000, Q, R).build(), service("frontend"),
                "backend");

        assertThat(span.kind()).isEqualTo(SpanKind.CLIENT);
        assertThat(span.spanId()).isEqualTo(SpanIds.client(Q, R));
        assertThat(span.remoteParentSpanId()).isZero();
        assertThat(str(span, "server.address")).isEqualTo("10.0.0.2");
        assertThat(num(span, "server.port")).isEqualTo(8080L);
        assertThat(str(span, "network.peer.address")).isEqualTo("10.0.0.2");
        assertThat(str(span, "peer.service")).isEqualTo("backend");
        assertThat(str(span, "client.address")).isNull();
        assertThat(span.peer()).isEqualTo(TestExchanges.BACKEND_LISTEN);
    }

    @Test
    void clientSpanKeepsTheServerAddressTheProtocolNamed() {
        Attributes withHost = Attributes.builder().put("http.request.method", "GET")
                .put("server.address", "stock.internal").put("server.port", 80L)
                .put("http.response.status_code", 200L).build();
        ExchangeSpan span = create(clientRecord(10, 12, 6_000, 8_000, Q, R).attributes(withHost));
        assertThat(str(span, "server.address")).isEqualTo("stock.internal");
        assertThat(num(span, "server.port")).isEqualTo(80L);
        assertThat(str(span, "network.peer.address")).isEqualTo("10.0.0.2");
        assertThat(span.name()).isEqualTo("GET");
    }

    @Test
    void http500IsAnErrorOnTheServer() {
        ExchangeSpan span = create(serverRecord(10, 11, 5_000, 9_000, Q, R).attributes(httpGet("/a", 500)));
        assertThat(span.error()).isTrue();
        assertThat(span.status().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(str(span, "error.type")).isEqualTo("500");
    }

    @Test
    void http404IsAnErrorForTheClientOnly() {
        ExchangeSpan server = create(serverRecord(10, 11, 5_000, 9_000, Q, R).attributes(httpGet("/a", 404)));
        ExchangeSpan client = create(clientRecord(10, 11, 5_000, 9_000, Q, R).attributes(httpGet("/a", 404)));
        assertThat(server.error()).isFalse();
        assertThat(server.status().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(str(server, "error.type")).isNull();
        assertThat(client.error()).isTrue();
        assertThat(client.status().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(str(client, "error.type")).isEqualTo("404");
    }

    private static Attributes grpc(long code) {
        return Attributes.builder().put("rpc.system", "grpc").put("rpc.service", "shop.Orders")
                .put("rpc.method", "Get").put("rpc.grpc.status_code", code)
                .put("spanscope.grpc.message", "code " + code).build();
    }

    @Test
    void grpcCodesFollowTheServerAndClientRules() {
        ExchangeSpan notFoundServer = create(serverRecord(10, 11, 5_000, 9_000, Q, R).protocol(Protocol.GRPC)
                .attributes(grpc(5)));
        ExchangeSpan notFoundClient = create(clientRecord(10, 11, 5_000, 9_000, Q, R).protocol(Protocol.GRPC)
                .attributes(grpc(5)));
        ExchangeSpan internalServer = create(serverRecord(10, 11, 5_000, 9_000, Q, R).protocol(Protocol.GRPC)
                .attributes(grpc(13)));
        ExchangeSpan okClient = create(clientRecord(10, 11, 5_000, 9_000, Q, R).protocol(Protocol.GRPC)
                .attributes(grpc(0)));

        assertThat(notFoundServer.name()).isEqualTo("shop.Orders/Get");
        assertThat(notFoundServer.error()).isFalse();
        assertThat(notFoundClient.error()).isTrue();
        assertThat(str(notFoundClient, "error.type")).isEqualTo("5");
        assertThat(notFoundClient.status().getDescription()).isEqualTo("code 5");
        assertThat(internalServer.error()).isTrue();
        assertThat(internalServer.status().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(internalServer.status().getDescription()).isEqualTo("code 13");
        assertThat(okClient.error()).isFalse();
        assertThat(okClient.status().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void databaseSpansAreNamedAfterTheQueryAndCarryDeclaredErrors() {
        Attributes failed = Attributes.builder().put("db.system.name", "postgresql")
                .put("db.operation.name", "SELECT").put("db.collection.name", "orders")
                .put("error.type", "42P01").put("db.response.status_message", "relation does not exist").build();
        ExchangeSpan span = create(clientRecord(10, 11, 5_000, 9_000, Q, R).protocol(Protocol.POSTGRESQL)
                .attributes(failed));
        assertThat(span.name()).isEqualTo("SELECT orders");
        assertThat(span.error()).isTrue();
        assertThat(str(span, "error.type")).isEqualTo("42P01");
        assertThat(span.status().getDescription()).isEqualTo("relation does not exist");
    }

    @Test
    void captureDamageIsAnAttributeNotAnError() {
        ExchangeSpan damaged = create(serverRecord(10, 11, 5_000, 9_000, Q, R)
                .flag(RecordFlag.GAP_IN_RESPONSE).flag(RecordFlag.TRUNCATED_BODY).flag(RecordFlag.JOINED_MID_STREAM));
        ExchangeSpan joinedOnly = create(serverRecord(10, 11, 5_000, 9_000, Q, R).flag(RecordFlag.JOINED_MID_STREAM));

        assertThat(damaged.attributes().get(SpanFactory.CAPTURE_DAMAGE))
                .containsExactly("GAP_IN_RESPONSE", "TRUNCATED_BODY");
        assertThat(damaged.error()).isFalse();
        assertThat(joinedOnly.attributes().get(SpanFactory.CAPTURE_DAMAGE)).isNull();
    }

    @Test
    void connectTimeGoesOnClientSpansAndAcceptQueueWaitOnServerSpans() {
        ConnectionSetup setup = new ConnectionSetup(1_000_000, 3_500_000, 4_000_000);
        ExchangeSpan client = create(clientRecord(10, 11, 5_000_000, 9_000_000, Q, R).connectionSetup(setup));
        ExchangeSpan server = create(serverRecord(10, 11, 5_000_000, 9_000_000, Q, R).connectionSetup(setup));
        ExchangeSpan keptAlive = create(clientRecord(10, 11, 5_000_000, 9_000_000, Q, R));

        assertThat(client.connectDurationNs()).isEqualTo(2_500_000);
        assertThat(client.acceptQueueWaitNs()).isEqualTo(-1);
        assertThat(client.attributes().get(SpanFactory.CONNECT_DURATION_MS)).isCloseTo(2.5, within(1e-9));
        assertThat(client.attributes().get(SpanFactory.ACCEPT_QUEUE_WAIT_MS)).isNull();
        assertThat(server.acceptQueueWaitNs()).isEqualTo(500_000);
        assertThat(server.connectDurationNs()).isEqualTo(-1);
        assertThat(server.attributes().get(SpanFactory.ACCEPT_QUEUE_WAIT_MS)).isCloseTo(0.5, within(1e-9));
        assertThat(server.attributes().get(SpanFactory.CONNECT_DURATION_MS)).isNull();
        assertThat(keptAlive.connectDurationNs()).isEqualTo(-1);
        assertThat(keptAlive.attributes().get(SpanFactory.CONNECT_DURATION_MS)).isNull();
    }

    @Test
    void unlinkableRecordsGetLocalIdsFromConnectionAndStart() {
        Record.Builder noResponseSeq = serverRecord(10, 11, 5_000, 9_000, Q, -1);
        ExchangeSpan span = create(noResponseSeq);
        ExchangeSpan again = create(noResponseSeq);
        ExchangeSpan otherConnection = create(noResponseSeq.connectionId(new ConnectionId(10, 111, 2)));
        ExchangeSpan later = create(serverRecord(10, 11, 5_001, 9_000, Q, -1));

        assertThat(span.remoteParentSpanId()).isZero();
        assertThat(span.spanId()).isNotZero().isEqualTo(again.spanId());
        assertThat(span.spanId()).isNotEqualTo(otherConnection.spanId()).isNotEqualTo(later.spanId());
        long key = (long) 10 << 32 ^ (long) 111 << 16 ^ 1;
        assertThat(span.spanId()).isEqualTo(SpanIds.local(key, 5_000));
    }

    @Test
    void aResponseWithoutASeenRequestStartsAtTheResponse() {
        Record record = serverRecord(10, 11, 0, 9_000, -1, R).request(0, 0, 0, -1, 0).build();
        ExchangeSpan span = factory.create(record, service("svc"), null);
        assertThat(span.startNs()).isEqualTo(8_990);
        assertThat(span.endNs()).isEqualTo(9_000);
        assertThat(span.attributes().get(AttributeKey.longKey("thread.id"))).isNull();
    }

    @Test
    void ipv6PeersAreMarked() {
        ExchangeSpan span = create(serverRecord(10, 11, 5_000, 9_000, Q, R).client(endpoint("::1", 5555)));
        assertThat(str(span, "network.type")).isEqualTo("ipv6");
        assertThat(str(span, "client.address")).isEqualTo("0:0:0:0:0:0:0:1");
    }

    @Test
    void listAttributesStayLists() {
        Attributes a = Attributes.builder().put("http.request.method", "GET")
                .put("http.request.header.accept", List.of("a", "b")).build();
        ExchangeSpan span = create(serverRecord(10, 11, 5_000, 9_000, Q, R).attributes(a));
        assertThat(span.attributes().get(AttributeKey.stringArrayKey("http.request.header.accept")))
                .containsExactly("a", "b");
    }
}

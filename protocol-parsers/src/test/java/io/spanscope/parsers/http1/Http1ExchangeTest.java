package io.spanscope.parsers.http1;

import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordFlag;
import io.spanscope.parsers.testing.CollectingSink;
import io.spanscope.parsers.testing.Conversation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.spanscope.parsers.testing.HttpSamples.CURL_GET;
import static io.spanscope.parsers.testing.HttpSamples.CURL_GET_ROOT;
import static io.spanscope.parsers.testing.HttpSamples.CURL_POST_JSON;
import static io.spanscope.parsers.testing.HttpSamples.HANDMADE_CHUNKED_201;
import static io.spanscope.parsers.testing.HttpSamples.HANDMADE_CLOSE_DELIMITED;
import static io.spanscope.parsers.testing.HttpSamples.NGINX_JSON_200;
import static io.spanscope.parsers.testing.HttpSamples.PYTHON_LISTING_BODY;
import static io.spanscope.parsers.testing.HttpSamples.PYTHON_LISTING_HEAD;
import static org.assertj.core.api.Assertions.assertThat;

class Http1ExchangeTest {

    private final CollectingSink sink = new CollectingSink();
    private final ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), sink);

    private void deliver(Conversation c) {
        c.events().forEach(tracker::onData);
    }

    @Test
    void serverSideGetPairsWithTimestampsSequencesSizesAndAttributes() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(1_000, false));
        long requestSeq = c.sequence(Direction.INGRESS);
        long responseSeq = c.sequence(Direction.EGRESS);
        c.request(CURL_GET, 2_000, 11);
        String head = NGINX_JSON_200.substring(0, NGINX_JSON_200.indexOf("\r\n\r\n") + 4);
        c.response(head, 5_000, 12);
        c.response(NGINX_JSON_200.substring(head.length()), 6_000, 13);
        deliver(c);

        Record r = sink.only();
        assertThat(r.protocol()).isEqualTo(Protocol.HTTP1);
        assertThat(r.role()).isEqualTo(Role.SERVER);
        assertThat(r.connectionId()).isEqualTo(c.id());
        assertThat(r.server()).isEqualTo(c.local());
        assertThat(r.client()).isEqualTo(c.remote());
        assertThat(r.requestStartNs()).isEqualTo(2_000);
        assertThat(r.requestEndNs()).isEqualTo(2_000);
        assertThat(r.responseStartNs()).isEqualTo(5_000);
        assertThat(r.responseEndNs()).isEqualTo(6_000);
        assertThat(r.requestTid()).isEqualTo(11);
        assertThat(r.responseTid()).isEqualTo(12);
        assertThat(r.requestSequence()).isEqualTo(requestSeq);
        assertThat(r.responseSequence()).isEqualTo(responseSeq);
        assertThat(r.requestBytes()).isEqualTo(CURL_GET.length());
        assertThat(r.responseBytes()).isEqualTo(NGINX_JSON_200.length());
        assertThat(r.attributes().asMap()).containsEntry("http.request.method", "GET")
                .containsEntry("url.path", "/api/users/42")
                .containsEntry("url.query", "verbose=1&lang=en")
                .containsEntry("http.route", "/api/users/{id}")
                .containsEntry("server.address", "127.0.0.1")
                .containsEntry("server.port", 18084L)
                .containsEntry("user_agent.original", "curl/7.88.1")
                .containsEntry("network.protocol.version", "1.1")
                .containsEntry("http.response.status_code", 200L)
                .containsEntry("http.response.header.content-type", List.of("application/json"))
                .containsEntry("http.response.body.size", 45L);
        assertThat(r.flags()).isEmpty();
        assertThat(tracker.stats().records()).isEqualTo(1);
    }

    @Test
    void clientSidePostRedactsAuthorizationAndKeepsBodyOnlyUpToCap() {
        ParserConfig config = ParserConfig.builder()
                .bodyCaptureBytes(10)
                .captureRequestHeaders(List.of("content-type", "authorization", "x-trace"))
                .build();
        ConnectionTracker clientTracker = new ConnectionTracker(config, sink);
        Conversation c = Conversation.client();
        clientTracker.onOpen(c.open(1, false));
        c.request(CURL_POST_JSON, 10, 3);
        c.response(NGINX_JSON_200, 20, 4);
        c.events().forEach(clientTracker::onData);

        Record r = sink.only();
        assertThat(r.role()).isEqualTo(Role.CLIENT);
        assertThat(r.client()).isEqualTo(c.local());
        assertThat(r.attributes().asMap())
                .containsEntry("http.request.method", "POST")
                .containsEntry("http.route", "/api/orders")
                .containsEntry("http.request.header.authorization", List.of(ParserConfig.REDACTED))
                .containsEntry("http.request.header.content-type", List.of("application/json"))
                .containsEntry("http.request.body.size", 23L)
                .doesNotContainKey("http.request.header.x-trace")
                .doesNotContainKey("url.query");
        assertThat(r.toString()).doesNotContain("abc.def");
        assertThat(new String(r.requestBody())).isEqualTo("{\"item\":\"b");
        assertThat(new String(r.responseBody())).isEqualTo("{\"id\":42,\"");
        assertThat(r.requestBytes()).isEqualTo(CURL_POST_JSON.length());
    }

    @Test
    void chunkedResponseWithExtensionsAndTrailersEndsAtTheLastChunk() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        c.request(CURL_POST_JSON, 10, 1);
        int split = HANDMADE_CHUNKED_201.indexOf("5\r\n");
        c.response(HANDMADE_CHUNKED_201.substring(0, split), 20, 2);
        c.response(HANDMADE_CHUNKED_201.substring(split, split + 4), 30, 2);
        c.response(HANDMADE_CHUNKED_201.substring(split + 4), 40, 2);
        c.request(CURL_GET, 50, 1);
        c.response(NGINX_JSON_200, 60, 2);
        deliver(c);

        assertThat(sink.records()).hasSize(2);
        Record chunked = sink.records().get(0);
        assertThat(chunked.attributes().getLong("http.response.status_code")).isEqualTo(201);
        assertThat(chunked.attributes().getLong("http.response.body.size")).isEqualTo(26 + 5);
        assertThat(chunked.responseBytes()).isEqualTo(HANDMADE_CHUNKED_201.length());
        assertThat(chunked.responseEndNs()).isEqualTo(40);
        assertThat(chunked.isIntact()).isTrue();
        assertThat(sink.records().get(1).attributes().getString("url.path")).isEqualTo("/api/users/42");
    }

    @Test
    void pythonResponseWrittenInTwoSyscallsEndsAtTheBodyWrite() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        c.request(CURL_GET_ROOT, 100, 1);
        c.response(PYTHON_LISTING_HEAD, 200, 1);
        c.response(PYTHON_LISTING_BODY, 300, 1);
        deliver(c);

        Record r = sink.only();
        assertThat(r.responseStartNs()).isEqualTo(200);
        assertThat(r.responseEndNs()).isEqualTo(300);
        assertThat(r.attributes().getString("network.protocol.version")).isEqualTo("1.1");
        assertThat(r.attributes().getString("http.route")).isEqualTo("/");
        assertThat(r.attributes().asMap())
                .containsEntry("http.response.header.content-type", List.of("text/html; charset=utf-8"));
        assertThat(r.responseBytes()).isEqualTo(PYTHON_LISTING_HEAD.length() + PYTHON_LISTING_BODY.length());
    }

    @Test
    void closeDelimitedResponseCompletesOnClose() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        c.request(CURL_GET_ROOT, 10, 1);
        c.response(HANDMADE_CLOSE_DELIMITED.substring(0, 60), 20, 1);
        c.response(HANDMADE_CLOSE_DELIMITED.substring(60), 30, 1);
        deliver(c);
        assertThat(sink.records()).isEmpty();

        tracker.onClose(c.close(99));
        Record r = sink.only();
        assertThat(r.responseEndNs()).isEqualTo(30);
        assertThat(r.responseBytes()).isEqualTo(HANDMADE_CLOSE_DELIMITED.length());
        assertThat(r.attributes().getLong("http.response.body.size")).isEqualTo(18);
        assertThat(r.isIntact()).isTrue();
        assertThat(tracker.connectionCount()).isZero();
    }

    @Test
    void headAnd204And304HaveNoBodyDespiteContentLength() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        c.request("HEAD /file HTTP/1.1\r\nHost: a\r\n\r\n", 1, 1);
        c.response("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", 2, 1);
        c.request("DELETE /items/7 HTTP/1.1\r\nHost: a\r\n\r\n", 3, 1);
        c.response("HTTP/1.1 204 No Content\r\n\r\n", 4, 1);
        c.request("GET /logo.png HTTP/1.1\r\nHost: a\r\nIf-None-Match: \"abc\"\r\n\r\n", 5, 1);
        c.response("HTTP/1.1 304 Not Modified\r\nETag: \"abc\"\r\nContent-Length: 812\r\n\r\n", 6, 1);
        c.request(CURL_GET, 7, 1);
        c.response(NGINX_JSON_200, 8, 1);
        deliver(c);

        assertThat(sink.records()).extracting(r -> r.attributes().getLong("http.response.status_code"))
                .containsExactly(200L, 204L, 304L, 200L);
        assertThat(sink.records()).extracting(r -> r.attributes().getString("http.request.method"))
                .containsExactly("HEAD", "DELETE", "GET", "GET");
        assertThat(sink.records()).allMatch(Record::isIntact);
    }

    @Test
    void continueInterimResponseIsNotTheEndOfTheExchange() {
        Conversation c = Conversation.client();
        tracker.onOpen(c.open(0, false));
        c.request("PUT /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n", 10, 1);
        String interim = "HTTP/1.1 100 Continue\r\n\r\n";
        String created = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
        c.response(interim, 20, 1);
        long finalResponseSeq = c.sequence(Direction.INGRESS);
        c.request("data", 30, 1);
        c.response(created, 40, 2);
        deliver(c);

        Record r = sink.only();
        assertThat(r.attributes().getLong("http.response.status_code")).isEqualTo(201);
        assertThat(r.requestEndNs()).isEqualTo(30);
        assertThat(r.responseStartNs()).isEqualTo(40);
        assertThat(r.responseTid()).isEqualTo(2);
        assertThat(r.responseSequence()).isEqualTo(finalResponseSeq);
        assertThat(r.responseBytes()).isEqualTo(interim.length() + created.length());
    }

    @Test
    void pipelinedRequestsPairWithResponsesInOrder() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        c.request("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", 10, 1);
        c.response("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA", 20, 1);
        c.response("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nBB", 30, 1);
        c.response("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 3\r\n\r\nCCC", 40, 1);
        deliver(c);

        assertThat(sink.records()).extracting(r -> r.attributes().getString("url.path") + "="
                + r.attributes().getLong("http.response.status_code")).containsExactly("/a=200", "/b=404", "/c=500");
        assertThat(sink.records()).extracting(Record::responseStartNs).containsExactly(20L, 30L, 40L);
        assertThat(sink.records()).extracting(Record::requestStartNs).containsExactly(10L, 10L, 10L);
        long first = sink.records().get(0).requestSequence();
        int firstRequestLength = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n".length();
        assertThat(sink.records().get(1).requestSequence()).isEqualTo((first + firstRequestLength) & 0xFFFFFFFFL);
    }

    @Test
    void pendingRequestAtCloseIsRecordedAsMissingItsResponse() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        c.request(CURL_GET, 10, 1);
        c.response(NGINX_JSON_200, 20, 1);
        c.request(CURL_GET_ROOT, 30, 1);
        deliver(c);
        tracker.onClose(c.close(40));

        assertThat(sink.records()).hasSize(2);
        Record missing = sink.records().get(1);
        assertThat(missing.hasFlag(RecordFlag.RESPONSE_MISSING)).isTrue();
        assertThat(missing.responseSequence()).isEqualTo(-1);
        assertThat(missing.attributes().getString("url.path")).isEqualTo("/");
        assertThat(sink.records().get(0).isIntact()).isTrue();
    }

    @Test
    void websocketUpgradeIsAnExchangeThenBytesAreOnlyCounted() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        c.request("GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", 10, 1);
        c.response("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\u0081\u0005Hello", 20, 1);
        c.request("\u0081\u0085\u0037\u00fa\u0021\u003d\u007f\u009f\u004d\u0051\u0058GET / HTTP/1.1\r\n\r\n", 30, 1);
        deliver(c);

        Record r = sink.only();
        assertThat(r.attributes().getLong("http.response.status_code")).isEqualTo(101);
        assertThat(r.attributes().getString("spanscope.http.upgrade")).isEqualTo("websocket");
        assertThat(tracker.stats().protocolUpgrades()).isEqualTo(1);
        assertThat(tracker.stats().unparsedBytes()).isEqualTo(7 + 29);
    }

    @Test
    void h2cUpgradeHandsTheConnectionToHttp2() {
        Conversation c = Conversation.client();
        tracker.onOpen(c.open(0, false));
        c.request("GET / HTTP/1.1\r\nHost: localhost:8080\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n", 10, 1);
        String frames = "\u0000\u0000\u0000\u0004\u0000\u0000\u0000\u0000\u0000";
        c.response("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n" + frames, 20, 1);
        c.request("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 30, 1);
        deliver(c);

        Record r = sink.only();
        assertThat(r.attributes().getLong("http.response.status_code")).isEqualTo(101);
        assertThat(r.attributes().getString("spanscope.http.upgrade")).isEqualTo("h2c");
        assertThat(tracker.stats().protocolUpgrades()).isEqualTo(1);
        assertThat(tracker.stats().unparsedBytes()).as("HTTP/2 bytes go to the HTTP/2 handler, which parses them")
                .isZero();
        assertThat(tracker.stats().parseErrors()).isZero();
    }

    @Test
    void declinedUpgradeResumesHttp1IncludingBytesThatWaited() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        c.request("GET /a HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
                10, 1);
        c.response("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 20, 1);
        c.response("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 30, 1);
        deliver(c);

        assertThat(sink.records()).extracting(r -> r.attributes().getString("url.path")).containsExactly("/a", "/b");
        assertThat(sink.records()).allMatch(Record::isIntact);
    }

    @Test
    void routeTemplatesReplaceIdentifierSegments() {
        assertThat(RouteTemplate.of("/users/42/orders/7f9c24e8-3b2a-4c1d-9e5f-0a1b2c3d4e5f"))
                .isEqualTo("/users/{id}/orders/{uuid}");
        assertThat(RouteTemplate.of("/blobs/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"))
                .isEqualTo("/blobs/{hash}");
        assertThat(RouteTemplate.of("/reset/eyJhbGciOiJIUzI1NiJ9x7Qz2")).isEqualTo("/reset/{token}");
        assertThat(RouteTemplate.of("/api/v1/health")).isEqualTo("/api/v1/health");
        assertThat(RouteTemplate.of("/blog/how-to-write-a-parser-2024")).isEqualTo("/blog/how-to-write-a-parser-2024");
        assertThat(RouteTemplate.of("/")).isEqualTo("/");
    }
}

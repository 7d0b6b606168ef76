package io.spanscope.parsers.detect;

import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.ParserStats;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.stream.ChunkOrigin;
import io.spanscope.parsers.testing.CollectingSink;
import io.spanscope.parsers.testing.Conversation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static io.spanscope.parsers.testing.HttpSamples.CURL_GET;
import static io.spanscope.parsers.testing.HttpSamples.NGINX_JSON_200;
import static org.assertj.core.api.Assertions.assertThat;

class ProtocolDetectionTest {

    /** psql 15 StartupMessage: user=postgres database=app application_name=psql, protocol 3.0. */
    private static final byte[] PG_STARTUP = HexFormat.of().parseHex(
            "0000004f000300007573657200706f7374677265730064617461626173650061707000"
            + "6170706c69636174696f6e5f6e616d65007073716c00636c69656e745f656e636f64696e6700555446380000");
    private static final byte[] PG_SSL_REQUEST = HexFormat.of().parseHex("0000000804d2162f");
    /** MySQL 8.0 server greeting: length 74, sequence 0, protocol 10, version "8.0.36\0" ... */
    private static final byte[] MYSQL_GREETING = HexFormat.of().parseHex(
            "4a0000000a382e302e3336000d000000" + "00".repeat(60));

    private final CollectingSink sink = new CollectingSink();
    private final ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), sink);

    @Test
    void detectorsRecogniseTheirFirstBytesAndWaitOnPrefixes() {
        ProtocolRegistry registry = ProtocolRegistry.defaults();
        assertThat(registry.supports()).extracting(ProtocolSupport::protocol)
                .containsExactly(Protocol.HTTP2, Protocol.HTTP1, Protocol.POSTGRESQL, Protocol.MYSQL);
        assertThat(detect(registry, Conversation.bytes(CURL_GET))).isEqualTo(Detection.clientBytes(Protocol.HTTP1));
        assertThat(detect(registry, Conversation.bytes(NGINX_JSON_200))).isEqualTo(Detection.serverBytes(Protocol.HTTP1));
        assertThat(detect(registry, Http2PrefaceDetector.PREFACE)).isEqualTo(Detection.clientBytes(Protocol.HTTP2));
        assertThat(detect(registry, PG_STARTUP)).isEqualTo(Detection.clientBytes(Protocol.POSTGRESQL));
        assertThat(detect(registry, PG_SSL_REQUEST)).isEqualTo(Detection.clientBytes(Protocol.POSTGRESQL));
        assertThat(detect(registry, MYSQL_GREETING)).isEqualTo(Detection.serverBytes(Protocol.MYSQL));
        assertThat(new Http1DetectorProbe().detect("GE")).isEqualTo(Detection.NEED_MORE);
        assertThat(new Http1DetectorProbe().detect("GETX /")).isEqualTo(Detection.NO_MATCH);
        assertThat(new Http2PrefaceDetector().detect(Http2PrefaceDetector.PREFACE, 0, 10)).isEqualTo(Detection.NEED_MORE);
        assertThat(detect(registry, Conversation.bytes("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"))).isEqualTo(Detection.NO_MATCH);
    }

    private static Detection detect(ProtocolRegistry registry, byte[] bytes) {
        for (ProtocolSupport s : registry.supports()) {
            Detection d = s.detector().detect(bytes, 0, bytes.length);
            if (d.verdict() != Detection.Verdict.NO_MATCH) {
                return d;
            }
        }
        return Detection.NO_MATCH;
    }

    /** The HTTP/1 detector through the public registry entry. */
    private static final class Http1DetectorProbe {
        Detection detect(String text) {
            byte[] b = Conversation.bytes(text);
            return ProtocolRegistry.defaults().find(Protocol.HTTP1).orElseThrow().detector().detect(b, 0, b.length);
        }
    }

    @Test
    void requestSplitIntoTinyFirstChunksWaitsForDetection() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        for (int i = 0; i < CURL_GET.length(); i++) {
            tracker.onData(c.request(CURL_GET.substring(i, i + 1), 10 + i, 1));
        }
        tracker.onData(c.response(NGINX_JSON_200, 500, 1));
        Record r = sink.only();
        assertThat(r.requestStartNs()).isEqualTo(10);
        assertThat(r.requestEndNs()).isEqualTo(10 + CURL_GET.length() - 1);
        assertThat(r.isIntact()).isTrue();
    }

    @Test
    void postgresAndMysqlConnectionsAreRecognisedAndCountedNotMisparsed() {
        Conversation pg = new Conversation(1, 1, Role.CLIENT, 0, 0);
        tracker.onOpen(pg.open(0, false));
        tracker.onData(pg.send(Direction.EGRESS, PG_STARTUP, 1, 1));
        tracker.onData(pg.send(Direction.INGRESS, Conversation.bytes("R\u0000\u0000\u0000\u0008\u0000\u0000\u0000\u0000"), 2, 1));
        Conversation my = new Conversation(1, 2, Role.UNKNOWN, 0, 0);
        tracker.onData(my.send(Direction.INGRESS, MYSQL_GREETING, 1, 1));

        assertThat(sink.records()).isEmpty();
        // both are parsed (login only, no statement or command yet: no record)
        assertThat(tracker.stats().unparsedBytes()).isZero();
        assertThat(tracker.stats().parseErrors()).isZero();
        assertThat(tracker.stats().drops(DropReason.UNKNOWN_PROTOCOL)).isZero();
    }

    @Test
    void registeredHandlerReplacesADetectOnlyEntry() {
        List<String> seen = new ArrayList<>();
        ProtocolSupport pg = new ProtocolSupport(Protocol.POSTGRESQL, new PostgresDetector(), context -> new ProtocolHandler() {
            @Override
            public Protocol protocol() {
                return Protocol.POSTGRESQL;
            }

            @Override
            public int onBytes(Direction direction, byte[] buffer, int offset, int length, long position, ChunkOrigin origin) {
                seen.add(direction + ":" + length + "@" + position + " client=" + context.connection().role());
                return length;
            }

            @Override
            public void onGap(Direction direction, long position, long missingBytes, ChunkOrigin origin) {
            }

            @Override
            public void onConnectionEnd(long timestampNs, boolean closed) {
                seen.add("end closed=" + closed);
            }
        });
        ConnectionTracker custom = new ConnectionTracker(ParserConfig.defaults(),
                ProtocolRegistry.defaults().toBuilder().register(pg).build(), sink);
        Conversation c = new Conversation(9, 9, Role.UNKNOWN, 0, 0);
        custom.onData(c.send(Direction.INGRESS, PG_SSL_REQUEST, 1, 1));
        custom.onData(c.send(Direction.EGRESS, Conversation.bytes("N"), 2, 1));
        custom.onClose(c.close(3));
        assertThat(seen).containsExactly("INGRESS:8@0 client=SERVER", "EGRESS:1@0 client=SERVER", "end closed=true");
        assertThat(ProtocolRegistry.defaults().toBuilder().register(pg).build().supports()).hasSize(4);
    }

    @Test
    void unknownBytesOnAFreshConnectionAreCountedOnce() {
        Conversation c = Conversation.client();
        tracker.onOpen(c.open(0, false));
        tracker.onData(c.send(Direction.EGRESS, Conversation.bytes("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"), 1, 1));
        tracker.onData(c.send(Direction.INGRESS, Conversation.bytes("SSH-2.0-OpenSSH_9.2p1\r\n"), 2, 1));
        tracker.onData(c.request(CURL_GET, 3, 1));
        assertThat(sink.records()).isEmpty();
        assertThat(tracker.stats().drops(DropReason.UNKNOWN_PROTOCOL)).isEqualTo(1);
        assertThat(tracker.stats().unparsedBytes()).isEqualTo(32 + 23 + CURL_GET.length());
    }

    @Test
    void statsSnapshotIsAnImmutableCopy() {
        ParserStats stats = tracker.stats();
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(0, false));
        c.request(CURL_GET, 1, 1);
        c.response(NGINX_JSON_200, 2, 1);
        c.events().forEach(tracker::onData);
        ParserStats.Snapshot before = stats.snapshot();
        tracker.onClose(c.close(3));
        assertThat(before.records()).isEqualTo(1);
        assertThat(before.activeConnections()).isEqualTo(1);
        assertThat(stats.snapshot().activeConnections()).isZero();
        assertThat(before.capturedBytes()).isEqualTo(CURL_GET.length() + NGINX_JSON_200.length());
        assertThat(before.drops(DropReason.HEADER_LIMIT)).isZero();
    }
}

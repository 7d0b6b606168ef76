package io.spanscope.capture.pcap;

import io.spanscope.capture.testing.RecordingSink;

import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionEstablishedEvent;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.DataSource;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Every committed capture of real traffic, read end to end and compared with tshark and the clients' own account. */
class PcapReaderCaptureTest {

    static List<Path> captures() throws IOException {
        return CaptureSidecars.captures();
    }

    private static Result read(Path capture) throws IOException {
        RecordingSink sink = new RecordingSink();
        try (PcapReader reader = PcapReader.open(capture)) {
            return new Result(sink, reader.read(sink));
        }
    }

    private record Result(RecordingSink sink, PcapStats stats) {
        List<ConnectionOpenEvent> clientViews() {
            return sink.opens().stream().filter(o -> o.role() == Role.CLIENT).toList();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void payloadBytesPerDirectionEqualWhatTsharkCounts(Path capture) throws Exception {
        Result r = read(capture);
        Map<String, Long> expected = CaptureSidecars.payloadBytesPerDirection(capture);

        Map<String, Long> delivered = new TreeMap<>();
        for (ConnectionOpenEvent open : r.clientViews()) {
            String stream = String.valueOf(open.id().fd() - 1);
            delivered.put(stream + " " + open.local() + " " + open.remote(),
                    byteCount(r.sink.data(open.id(), Direction.EGRESS)));
            delivered.put(stream + " " + open.remote() + " " + open.local(),
                    byteCount(r.sink.data(open.id(), Direction.INGRESS)));
        }
        assertThat(delivered).isEqualTo(expected);
        assertThat(r.stats.connections()).isEqualTo(expected.keySet().stream().map(k -> k.split(" ")[0]).distinct().count());
        assertThat(r.stats.gaps()).isZero();
        assertThat(r.stats.malformedPackets()).isZero();
        assertThat(r.stats.corruptRecords()).isZero();
        assertThat(r.stats.truncatedPackets()).isZero();
        assertThat(r.stats.payloadBytes()).isEqualTo(expected.values().stream().mapToLong(Long::longValue).sum());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void streamsCarryTheClientsRequestsAndTheServersStatusLinesInOrder(Path capture) throws Exception {
        Result r = read(capture);
        List<CaptureSidecars.Exchange> exchanges = CaptureSidecars.exchanges(capture);
        assertThat(exchanges).isNotEmpty();
        for (ConnectionOpenEvent open : r.clientViews()) {
            int stream = open.id().fd() - 1;
            List<CaptureSidecars.Exchange> mine = exchanges.stream().filter(e -> e.stream() == stream).toList();
            String requests = text(r.sink.stream(open.id(), Direction.EGRESS));
            String responses = text(r.sink.stream(open.id(), Direction.INGRESS));
            if (mine.isEmpty()) {
                continue;
            }
            assertThat(requests).startsWith(mine.get(0).method() + " " + mine.get(0).path() + " HTTP/1.");
            assertThat(responses).startsWith("HTTP/1.");
            int requestAt = 0;
            int responseAt = 0;
            for (CaptureSidecars.Exchange e : mine) {
                requestAt = requests.indexOf(e.method() + " " + e.path() + " HTTP/1.", requestAt);
                assertThat(requestAt).as("request line of %s", e).isNotNegative();
                requestAt++;
                responseAt = responses.indexOf(" " + e.status() + " ", responseAt);
                assertThat(responseAt).as("status line of %s", e).isNotNegative();
                assertThat(responses.lastIndexOf("HTTP/1.", responseAt)).isGreaterThanOrEqualTo(responseAt - 8);
                responseAt++;
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void serverViewMirrorsClientViewAndTimeNeverGoesBack(Path capture) throws Exception {
        Result r = read(capture);
        assertThat(r.sink.opens()).hasSize((int) r.stats.connections() * 2);
        assertThat(r.sink.closes()).hasSize((int) r.stats.connections() * 2);
        for (ConnectionOpenEvent client : r.clientViews()) {
            ConnectionId serverId = new ConnectionId(0, client.id().fd(), 1);
            assertThat(r.sink.stream(serverId, Direction.INGRESS)).isEqualTo(r.sink.stream(client.id(), Direction.EGRESS));
            assertThat(r.sink.stream(serverId, Direction.EGRESS)).isEqualTo(r.sink.stream(client.id(), Direction.INGRESS));

            long last = client.timestampNs();
            for (Object e : r.sink.events()) {
                long t;
                if (e instanceof DataEvent d && d.connectionId().equals(client.id())) {
                    assertThat(d.source()).isEqualTo(DataSource.PCAP);
                    assertThat(d.role()).isEqualTo(Role.CLIENT);
                    t = d.timestampNs();
                } else if (e instanceof ConnectionCloseEvent c && c.id().equals(client.id())) {
                    t = c.timestampNs();
                } else {
                    continue;
                }
                assertThat(t).isGreaterThanOrEqualTo(last);
                last = t;
            }
            // a capture of 2026 traffic: epoch nanoseconds, not microseconds or seconds
            assertThat(client.timestampNs()).isBetween(1_600_000_000_000_000_000L, 4_000_000_000_000_000_000L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void handshakeGivesRolesAndEstablishedTimes(Path capture) throws Exception {
        Result r = read(capture);
        boolean midStream = capture.getFileName().toString().contains("midstream");
        for (ConnectionOpenEvent client : r.clientViews()) {
            assertThat(client.joinedMidStream()).isEqualTo(midStream);
            // every server of these captures listens on a 1808x port; clients use ephemeral ports
            assertThat(client.remote().port()).isBetween(18080, 18089);
            assertThat(client.local().port()).isGreaterThan(30000);
            List<ConnectionEstablishedEvent> est = r.sink.established().stream()
                    .filter(e -> e.id().fd() == client.id().fd()).toList();
            if (midStream) {
                assertThat(est).isEmpty();
            } else {
                assertThat(est).extracting(ConnectionEstablishedEvent::role).containsExactly(Role.CLIENT, Role.SERVER);
                assertThat(est.get(0).connectDurationNs()).isNotNegative();
                assertThat(est.get(1).establishedNs()).isGreaterThanOrEqualTo(est.get(0).establishedNs());
            }
        }
    }

    private static long byteCount(List<DataEvent> events) {
        return events.stream().mapToLong(DataEvent::byteCount).sum();
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}

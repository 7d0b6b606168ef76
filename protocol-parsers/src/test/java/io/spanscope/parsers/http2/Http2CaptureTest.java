package io.spanscope.parsers.http2;

import io.spanscope.capture.pcap.PcapReader;
import io.spanscope.capture.pcap.Views;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.ParserStats;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordFlag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP/2 and gRPC captures in test-pcaps/ (test-pcaps/http2/, written by scripts/pcaps/http2.sh: grpc-go, curl and h2load against
 * nginx, curl's h2c Upgrade against Go's h2c server), replayed from the client's and the server's view,
 * give exactly the exchanges the clients reported in the sidecars.
 */
class Http2CaptureTest {

    private static final Path CAPTURES = Path.of("..", "test-pcaps", "http2");

    private record Replay(List<Record> records, ParserStats.Snapshot stats) {
    }

    private static Replay replay(String capture, Views view) throws IOException {
        List<Record> records = new ArrayList<>();
        ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), records::add);
        try (PcapReader reader = PcapReader.builder().views(view).open(CAPTURES.resolve(capture))) {
            reader.read(tracker);
        }
        tracker.endAll();
        // per connection in order of appearance, then by stream id (streams complete in any order)
        records.sort(Comparator.comparingInt((Record r) -> r.connectionId().fd())
                .thenComparingLong(r -> {
                    Long id = r.attributes().getLong("spanscope.http2.stream_id");
                    return id == null ? 0 : id;
                }));
        return new Replay(records, tracker.stats().snapshot());
    }

    private static List<String[]> sidecar(String name) throws IOException {
        List<String> lines = Files.readAllLines(CAPTURES.resolve(name));
        return lines.subList(1, lines.size()).stream().filter(l -> !l.isBlank()).map(l -> l.split("\t")).toList();
    }

    private static String http(Record r) {
        Object body = r.attributes().get("http.response.body.size");
        return (r.connectionId().fd() - 1) + " " + r.attributes().getString("http.request.method") + " "
                + r.attributes().getString("url.path") + " " + r.attributes().get("http.response.status_code") + " "
                + (body == null ? 0 : body);
    }

    private static String grpc(Record r) {
        Object requestBody = r.attributes().get("http.request.body.size");
        return http(r) + " " + r.attributes().get("rpc.grpc.status_code") + " "
                + r.attributes().get("spanscope.grpc.request.messages") + " "
                + r.attributes().get("spanscope.grpc.response.messages") + " " + (requestBody == null ? 0 : requestBody);
    }

    /** The sidecar's columns; "-" (a compressed call's size, which the client does not see) matches anything. */
    private static boolean matches(String actual, String expected) {
        String[] a = actual.split(" ");
        String[] e = expected.split(" ");
        if (a.length != e.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!e[i].equals("-") && !e[i].equals(a[i])) {
                return false;
            }
        }
        return true;
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc-go", "grpc-python"})
    void grpcCallsMatchTheClientReport(String name) throws IOException {
        List<String[]> rows = sidecar(name + ".expected.tsv");
        List<String> expected = rows.stream().map(f -> String.join(" ", f)).toList();
        for (Views view : new Views[] {Views.CLIENT_ONLY, Views.SERVER_ONLY}) {
            Replay replay = replay(name + ".pcap", view);
            List<String> actual = replay.records().stream().map(Http2CaptureTest::grpc).toList();
            assertThat(actual).as("%s %s", name, view).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                assertThat(matches(actual.get(i), expected.get(i))).as("call %d: %s vs %s", i, actual.get(i), expected.get(i))
                        .isTrue();
            }
            assertThat(replay.records()).allSatisfy(r -> {
                assertThat(r.protocol()).isEqualTo(Protocol.GRPC);
                assertThat(r.isIntact()).as("%s", r).isTrue();
                assertThat(r.attributes().getString("rpc.system")).isEqualTo("grpc");
                assertThat(r.attributes().getString("rpc.service")).isEqualTo("spanscope.test.Echo");
                assertThat(r.requestSequence()).isNotNegative();
                assertThat(r.responseSequence()).isNotNegative();
                assertThat(r.requestStartNs()).isLessThanOrEqualTo(r.responseEndNs());
            });
            assertThat(replay.records()).extracting(r -> r.attributes().getString("rpc.method"))
                    .containsExactlyElementsOf(rows.stream().map(f -> f[2].substring(f[2].lastIndexOf('/') + 1)).toList());
            assertThat(replay.records()).extracting(r -> r.attributes().getString("error.type"))
                    .containsExactlyElementsOf(rows.stream().map(f -> GRPC_ERRORS.get(f[5])).toList());
            assertThat(replay.stats().parseErrors()).isZero();
        }
    }

    private static final java.util.Map<String, String> GRPC_ERRORS = new java.util.HashMap<>(java.util.Map.of(
            "5", "NOT_FOUND", "7", "PERMISSION_DENIED"));

    @Test
    void grpcGoErrorMessagesComeFromTheTrailers() throws IOException {
        Record notFound = replay("grpc-go.pcap", Views.CLIENT_ONLY).records().get(1);
        assertThat(notFound.attributes().getString("spanscope.grpc.message")).isEqualTo("no such item: fail-42");
    }

    /**
     * The python client asked for gzip on one call ("-" sizes in the sidecar); the grpc-go server answered
     * with a compressed message. gRPC core sent that call's small request uncompressed (flag 0 on the
     * wire, as tshark's gRPC dissector shows too), so only the response is flagged.
     */
    @Test
    void gzipCompressedMessagesAreFlagged() throws IOException {
        List<String[]> rows = sidecar("grpc-python.expected.tsv");
        List<Record> records = replay("grpc-python.pcap", Views.SERVER_ONLY).records();
        for (int i = 0; i < rows.size(); i++) {
            boolean compressed = rows.get(i)[8].equals("-");
            assertThat(records.get(i).attributes().get("spanscope.grpc.response.compressed"))
                    .isEqualTo(compressed ? Boolean.TRUE : null);
            assertThat(records.get(i).attributes().get("spanscope.grpc.request.compressed")).isNull();
        }
        assertThat(rows).anyMatch(r -> r[8].equals("-"));
    }

    @Test
    void bothEndsSeeTheSameSequenceNumbers() throws IOException {
        List<Record> client = replay("grpc-go.pcap", Views.CLIENT_ONLY).records();
        List<Record> server = replay("grpc-go.pcap", Views.SERVER_ONLY).records();
        assertThat(client).extracting(Record::requestSequence)
                .containsExactlyElementsOf(server.stream().map(Record::requestSequence).toList())
                .doesNotHaveDuplicates();
        assertThat(client).extracting(Record::responseSequence)
                .containsExactlyElementsOf(server.stream().map(Record::responseSequence).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"curl-nginx-h2c", "h2load-nginx"})
    void httpExchangesMatchTheClientReport(String name) throws IOException {
        for (Views view : new Views[] {Views.CLIENT_ONLY, Views.SERVER_ONLY}) {
            Replay replay = replay(name + ".pcap", view);
            List<String> expected = sidecar(name + ".expected.tsv").stream().map(f -> String.join(" ", f)).toList();
            assertThat(replay.records()).extracting(Http2CaptureTest::http).containsExactlyElementsOf(expected);
            assertThat(replay.records()).allSatisfy(r -> {
                assertThat(r.protocol()).isEqualTo(Protocol.HTTP2);
                assertThat(r.isIntact()).isTrue();
                assertThat(r.attributes().getString("network.protocol.version")).isEqualTo("2");
            });
        }
    }

    @Test
    void h2loadStreamsAreInterleavedAndStillPairedById() throws IOException {
        List<Record> records = replay("h2load-nginx.pcap", Views.CLIENT_ONLY).records();
        // 4 streams at a time: some request starts before the previous stream's response ends
        boolean overlapped = false;
        for (int i = 1; i < records.size(); i++) {
            overlapped |= records.get(i).requestStartNs() < records.get(i - 1).responseEndNs();
        }
        assertThat(overlapped).isTrue();
        assertThat(records).extracting(r -> r.attributes().getLong("spanscope.http2.stream_id"))
                .containsExactly(1L, 3L, 5L, 7L, 9L, 11L, 13L, 15L, 17L, 19L, 21L, 23L);
    }

    @Test
    void h2cUpgradeGivesTheHttp1ExchangeAndTheResponseOnStream1() throws IOException {
        String[] expected = sidecar("curl-go-h2c-upgrade.expected.tsv").get(0);
        for (Views view : new Views[] {Views.CLIENT_ONLY, Views.SERVER_ONLY}) {
            Replay replay = replay("curl-go-h2c-upgrade.pcap", view);
            assertThat(replay.records()).hasSize(2);
            Record upgrade = replay.records().stream().filter(r -> r.protocol() == Protocol.HTTP1).findFirst().orElseThrow();
            Record stream1 = replay.records().stream().filter(r -> r.protocol() == Protocol.HTTP2).findFirst().orElseThrow();
            assertThat(upgrade.attributes().getString("url.path")).isEqualTo(expected[2]);
            assertThat(upgrade.attributes().get("http.response.status_code")).isEqualTo(101L);
            assertThat(stream1.attributes().get("http.response.status_code")).isEqualTo(Long.parseLong(expected[3]));
            assertThat(stream1.attributes().get("http.response.body.size")).isEqualTo(Long.parseLong(expected[4]));
            assertThat(stream1.attributes().get("spanscope.http2.upgraded_from_http1")).isEqualTo(Boolean.TRUE);
            assertThat(stream1.isIntact()).isTrue();
            assertThat(stream1.responseSequence()).isGreaterThan(upgrade.responseSequence());
            assertThat(replay.stats().protocolUpgrades()).isEqualTo(1);
        }
    }

    /**
     * grpc-go.pcap cut to start at the List call: no preface, no SETTINGS, the HPACK tables unknown. The
     * four later calls are still recorded; :method is static, :path is recovered where grpc-go sent it as
     * a literal (first use of a method), the repeated Say's indexed :path is unknown and counted.
     */
    @Test
    void midStreamCaptureRecoversWhatHpackAllows() throws IOException {
        List<String[]> expected = sidecar("grpc-go-midstream.expected.tsv");
        for (Views view : new Views[] {Views.CLIENT_ONLY, Views.SERVER_ONLY}) {
            Replay replay = replay("grpc-go-midstream.pcap", view);
            assertThat(replay.records()).hasSize(expected.size());
            assertThat(replay.records()).extracting(r -> {
                String path = r.attributes().getString("url.path");
                return path == null ? "-" : path;
            }).containsExactlyElementsOf(expected.stream().map(f -> f[2]).toList());
            assertThat(replay.records()).allSatisfy(r -> {
                assertThat(r.attributes().getString("http.request.method")).isEqualTo("POST");
                assertThat(r.attributes().get("http.response.status_code")).isEqualTo(200L);
                assertThat(r.hasFlag(RecordFlag.JOINED_MID_STREAM)).isTrue();
                assertThat(r.attributes().getLong("spanscope.http2.unknown_header_fields")).isPositive();
                assertThat(r.requestSequence()).isNotNegative();
                assertThat(r.responseSequence()).isNotNegative();
            });
            // DATA is never indexed: body sizes are exact even when headers are not
            assertThat(replay.records()).extracting(r -> r.attributes().get("http.response.body.size"))
                    .containsExactlyElementsOf(expected.stream().map(f -> Long.parseLong(f[4])).toList());
            assertThat(replay.stats().drops(DropReason.HPACK_UNKNOWN_FIELD)).isPositive();
            // the cut capture has no handshake, so the reader guessed the roles; the header blocks settle them
            assertThat(replay.records()).allSatisfy(r -> assertThat(r.server().port()).isEqualTo(50151));
            assertThat(replay.stats().parseErrors()).isZero();
        }
    }
}

package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.Role;
import io.spanscope.capture.live.GoTlsCaptureStats;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC over TLS between a grpc-go client and server (Go crypto/tls, not OpenSSL), captured live from the
 * plaintext the Go TLS uprobes see: every call checked against the client's own report on the client's
 * and the server's side, the two sides agreeing on every exchange's sequence numbers,
 * the plaintext supplied by library "go".
 */
@Tag("live")
class GrpcTlsLiveCaptureTest {

    @TempDir
    Path dir;
    private GrpcGoPeer peer;
    private Process server;
    private LiveRecords live;
    private int port;

    @BeforeEach
    void start() throws Exception {
        peer = GrpcGoPeer.build(dir, GrpcGoPeer.Transport.TLS);
        port = TestPorts.free();
        server = peer.startServer(port, dir.resolve("server.log"));
        live = LiveRecords.capturePorts(List.of(port));
        live.awaitTlsAttached(peer.binary(), Duration.ofSeconds(30));
    }

    @AfterEach
    void stop() {
        if (live != null) {
            live.close();
        }
        if (server != null) {
            server.destroy();
        }
    }

    @Test
    void everyCallOverGoTlsIsOneRecordOnEachSideWithTheClientsOutcome() throws Exception {
        GrpcGoPeer.ClientRun script = peer.runClient(port);
        GrpcGoPeer.ClientRun unary = peer.runClient(port, "unary", "20");
        List<Record> all = new ArrayList<>(live.finish());
        GoTlsCaptureStats go = live.captureStats().tls().go();
        all.sort(Comparator.comparingLong(Record::requestStartNs));

        for (GrpcGoPeer.ClientRun run : List.of(script, unary)) {
            List<String> expected = run.outcomes();
            List<Record> client = all.stream().filter(r -> r.tgid() == run.pid() && r.role() == Role.CLIENT).toList();
            assertThat(client).as("client records of pid %d; %s", run.pid(), live.captureStats().tls())
                    .extracting(GrpcGoPeer::outcome).containsExactlyElementsOf(expected);
            assertThat(client).allSatisfy(r -> {
                assertThat(r.protocol()).isEqualTo(Protocol.GRPC);
                assertThat(r.attributes().getString("rpc.service")).isEqualTo("spanscope.test.Echo");
                assertThat(r.isIntact()).as("%s", r).isTrue();
            });
            assertThat(live.tlsPlaintextEvents(run.pid())).isPositive();
            assertThat(live.tlsLibraries(run.pid())).containsExactly("go");
        }
        long serverPid = server.pid();
        List<Record> served = all.stream().filter(r -> r.tgid() == serverPid && r.role() == Role.SERVER).toList();
        List<String> expectedServed = new ArrayList<>();
        for (GrpcGoPeer.ClientRun run : List.of(script, unary)) {
            expectedServed.addAll(run.outcomes());
        }
        assertThat(served).extracting(GrpcGoPeer::outcome).containsExactlyInAnyOrderElementsOf(expectedServed);
        assertThat(live.tlsLibraries(serverPid)).containsExactly("go");
        // both ends number every exchange by the same TLS records: that is what links the two spans
        Set<Long> clientRequests = Set.copyOf(all.stream().filter(r -> r.role() == Role.CLIENT).map(Record::requestSequence).toList());
        Set<Long> clientResponses = Set.copyOf(all.stream().filter(r -> r.role() == Role.CLIENT).map(Record::responseSequence).toList());
        // Reads are numbered from Go's own record state (go_tls_read_position): no exchange may carry a number the
        // client's side does not have. Only a Read whose record Go's state did not show leaves its exchange
        // without a number (-1: parsed, never linked), and each such Read is counted.
        List<Record> unnumbered = served.stream().filter(r -> r.requestSequence() < 0 || r.responseSequence() < 0).toList();
        List<Record> misnumbered = served.stream()
                .filter(r -> r.requestSequence() >= 0 && r.responseSequence() >= 0)
                .filter(r -> !clientRequests.contains(r.requestSequence()) || !clientResponses.contains(r.responseSequence()))
                .toList();
        assertThat(misnumbered).as("server exchanges numbered unlike the client's; %s", go).isEmpty();
        assertThat((long) unnumbered.size()).as("exchanges left unnumbered, each by a counted Read; %s", go)
                .isLessThanOrEqualTo(go.unnumberedReads());
        assertThat(go.layoutsFromDwarf()).as("Conn layouts read from the peer's DWARF").isPositive();
        assertThat(live.captureStats().tls().attachedFiles()).contains(peer.binary().toString());
        assertThat(go.attachedBinaries()).isPositive();
        assertThat(go.returnProbes()).isPositive();
        assertThat(go.unassociatedCalls()).as("Go calls without a connection").isZero();
        assertThat(go.inFlightTableDrops()).isZero();
    }
}

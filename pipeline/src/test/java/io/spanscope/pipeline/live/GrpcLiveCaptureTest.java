package io.spanscope.pipeline.live;

import io.spanscope.capture.event.Role;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live capture into the HTTP/2 + gRPC parser: a grpc-go server and client ({@link GrpcGoPeer}, plaintext)
 * on loopback, every call checked against the client's own report, on the client's and the server's side
 * of the connection.
 */
@Tag("live")
class GrpcLiveCaptureTest {

    @TempDir
    Path dir;
    private GrpcGoPeer peer;
    private Process server;
    private LiveRecords live;
    private int port;

    @BeforeEach
    void start() throws Exception {
        peer = GrpcGoPeer.build(dir, GrpcGoPeer.Transport.PLAINTEXT);
        port = TestPorts.free();
        server = peer.startServer(port, dir.resolve("server.log"));
        live = LiveRecords.capturePorts(List.of(port));
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

    private List<Record> finish() throws InterruptedException {
        // the server keeps its side of the connection open; closing the capture ends what is pending
        List<Record> all = new ArrayList<>(live.finish());
        all.sort(Comparator.comparingLong(Record::requestStartNs));
        return all;
    }

    @Test
    void everyCallOfEveryKindIsOneRecordOnEachSideWithTheClientsOutcome() throws Exception {
        GrpcGoPeer.ClientRun script = peer.runClient(port);
        GrpcGoPeer.ClientRun unary = peer.runClient(port, "unary", "20");
        List<Record> all = finish();

        for (GrpcGoPeer.ClientRun run : List.of(script, unary)) {
            List<String> expected = run.outcomes();
            List<Record> client = all.stream().filter(r -> r.tgid() == run.pid() && r.role() == Role.CLIENT).toList();
            assertThat(client).extracting(GrpcGoPeer::outcome).containsExactlyElementsOf(expected);
            assertThat(client).allSatisfy(r -> {
                assertThat(r.protocol()).isEqualTo(Protocol.GRPC);
                assertThat(r.attributes().getString("rpc.system")).isEqualTo("grpc");
                assertThat(r.attributes().getString("rpc.service")).isEqualTo("spanscope.test.Echo");
                assertThat(r.isIntact()).as("%s", r).isTrue();
            });
        }
        long serverPid = server.pid();
        List<Record> served = all.stream().filter(r -> r.tgid() == serverPid && r.role() == Role.SERVER).toList();
        assertThat(served).hasSize(script.calls().size() + unary.calls().size());
        // both ends agree on every exchange's sequence numbers: that is what links the two spans
        Set<Long> clientRequests = Set.copyOf(all.stream().filter(r -> r.role() == Role.CLIENT).map(Record::requestSequence).toList());
        Set<Long> clientResponses = Set.copyOf(all.stream().filter(r -> r.role() == Role.CLIENT).map(Record::responseSequence).toList());
        assertThat(served).allSatisfy(r -> {
            assertThat(clientRequests).contains(r.requestSequence());
            assertThat(clientResponses).contains(r.responseSequence());
        });
        assertThat(served).extracting(r -> r.attributes().getString("error.type")).filteredOn(e -> e != null)
                .containsExactlyInAnyOrder("NOT_FOUND", "PERMISSION_DENIED");
    }
}

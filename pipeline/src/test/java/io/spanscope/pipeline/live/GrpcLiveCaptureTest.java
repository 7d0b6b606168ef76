package io.spanscope.pipeline.live;

import io.spanscope.capture.event.Role;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Live capture into the HTTP/2 + gRPC parser: a grpc-go server and client (scripts/pcap-peers/grpc-go,
 * built with the installed Go toolchain) on loopback, every call checked against the client's own
 * report, on the client's and the server's side of the connection.
 */
@Tag("live")
class GrpcLiveCaptureTest {

    private static final Path PEER = Path.of("..", "scripts", "pcap-peers", "grpc-go").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    private Process server;
    private LiveRecords live;
    private int port;

    @BeforeEach
    void start() throws Exception {
        Path binary = dir.resolve("grpc-go");
        Process build;
        try {
            build = new ProcessBuilder("go", "build", "-o", binary.toString(), ".").directory(PEER.toFile())
                    .redirectErrorStream(true).start();
        } catch (IOException noGo) {
            assumeTrue(false, "no Go toolchain: " + noGo.getMessage());
            return;
        }
        String buildOutput = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(build.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(build.exitValue()).as(buildOutput).isZero();

        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        server = new ProcessBuilder(binary.toString(), "server", "127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        TestPorts.awaitListening(server, dir.resolve("server.log"), port, Duration.ofSeconds(20));
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

    /** Runs the client; returns its pid and its report (one line per call: path, status, sent, received). */
    private ClientRun client(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(dir.resolve("grpc-go").toString(), "client", "127.0.0.1:" + port));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return new ClientRun(p.pid(), out.lines().map(l -> l.split("\t")).toList());
    }

    private record ClientRun(long pid, List<String[]> calls) {
    }

    private List<Record> finish() throws InterruptedException {
        // the server keeps its side of the connection open; closing the capture ends what is pending
        List<Record> all = new ArrayList<>(live.finish());
        all.sort(Comparator.comparingLong(Record::requestStartNs));
        return all;
    }

    private static String line(Record r) {
        return r.attributes().getString("url.path") + " " + r.attributes().get("rpc.grpc.status_code") + " "
                + r.attributes().get("spanscope.grpc.request.messages") + " "
                + r.attributes().get("spanscope.grpc.response.messages");
    }

    @Test
    void everyCallOfEveryKindIsOneRecordOnEachSideWithTheClientsOutcome() throws Exception {
        ClientRun script = client();
        ClientRun unary = client("unary", "20");
        List<Record> all = finish();

        for (ClientRun run : List.of(script, unary)) {
            List<String> expected = run.calls().stream().map(c -> c[0] + " " + c[1] + " " + c[2] + " " + c[3]).toList();
            List<Record> client = all.stream().filter(r -> r.tgid() == run.pid() && r.role() == Role.CLIENT).toList();
            assertThat(client).extracting(GrpcLiveCaptureTest::line).containsExactlyElementsOf(expected);
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

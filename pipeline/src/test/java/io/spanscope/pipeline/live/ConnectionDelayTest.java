package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.pipeline.run.LocalRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel-delay case: a server with a listen backlog of one that accepts slowly, hit by a burst of new
 * connections. Client spans carry the connect time (SYN retransmitted while the backlog was full) and server
 * spans the accept-queue wait; both must agree with what the programs measured around connect() and accept().
 */
@Tag("live")
class ConnectionDelayTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void connectTimeAndAcceptQueueWaitOnSpansAgreeWithWhatTheProgramsMeasured() throws Exception {
        int port = TestPorts.free();
        int clients = 8;
        Path spansFile = work.resolve("spans.jsonl");
        List<String> burst;
        List<String> accepted;
        // capture first: an accept() the server is already blocked in when capture attaches is not seen
        try (LocalRun run = LocalRun.builder(LiveCapture.builder().allowPorts(List.of(port))).spansOut(spansFile).start();
             PythonPeer server = PythonPeer.start(work, "slow_accept_server.py", "slow_accept_server.py", Map.of(),
                     "--port", "" + port)) {
            TestPorts.awaitListening(port, Duration.ofSeconds(20));
            // the probe connection above is accepted and closed without a request: let the server get past it
            Thread.sleep(500);
            PythonPeer client = PythonPeer.start(work, "connect_burst.py", "connect_burst.py", Map.of(),
                    "--port", "" + port, "--clients", "" + clients);
            burst = client.awaitExit(120);
            assertThat(run.awaitCaptureDrained(Duration.ofSeconds(10))).isTrue();
            accepted = server.output();
        }
        assertThat(burst).hasSize(clients);

        Map<String, Long> acceptNsByClientPort = new HashMap<>();
        for (String line : accepted) {
            String[] f = line.split(" ");
            if (f[0].equals("accepted")) {
                acceptNsByClientPort.put(f[1], Long.parseLong(f[2]));
            }
        }
        Map<String, JsonNode> clientSpans = new HashMap<>();
        Map<String, JsonNode> serverSpans = new HashMap<>();
        for (String line : Files.readAllLines(spansFile)) {
            JsonNode span = JSON.readTree(line);
            String path = span.path("attributes").path("url.path").asText();
            (span.path("kind").asText().equals("CLIENT") ? clientSpans : serverSpans).put(path, span);
        }
        double slowest = 0;
        int agreeing = 0;
        double longestAgreeingWait = 0;
        for (String line : burst) {
            String[] f = line.split(" ");
            String clientPort = f[0];
            String path = f[1];
            double connectMs = (Long.parseLong(f[3]) - Long.parseLong(f[2])) / 1e6;
            assertThat(f[4]).isEqualTo("200");
            JsonNode client = clientSpans.get(path);
            JsonNode server = serverSpans.get(path);
            assertThat(client).as("client span of %s", path).isNotNull();
            assertThat(server).as("server span of %s", path).isNotNull();
            double spanConnectMs = client.path("attributes").path("spanscope.tcp.connect.duration_ms").asDouble(-1);
            // the kernel's SYN-to-established lies inside the client's connect() call, which also pays the
            // interpreter's and the scheduler's delays (a few ms under load): never longer, a little shorter
            assertThat(spanConnectMs).as("connect time of %s (client measured %.3f ms)", path, connectMs)
                    .isBetween(connectMs - 10.0, connectMs + 0.5);
            slowest = Math.max(slowest, spanConnectMs);
            // The server span's accept-queue wait runs from the handshake completing on the server to accept()
            // returning. Usually the server completes it when the client does; but when the final ACK arrives
            // while the queue is full the kernel drops it, the client believes it is connected, and the server
            // completes the handshake only on a retransmission: then the wait is shorter than the delay the
            // client saw by that half-open time. It is never longer.
            double queueMs = server.path("attributes").path("spanscope.tcp.accept_queue.wait_ms").asDouble(-1);
            double measuredQueueMs = (acceptNsByClientPort.get(clientPort) - Long.parseLong(f[3])) / 1e6;
            assertThat(queueMs).as("accept-queue wait of %s", path).isBetween(0.0, measuredQueueMs + 2.0);
            if (measuredQueueMs - queueMs <= 2.0) {
                agreeing++;
                longestAgreeingWait = Math.max(longestAgreeingWait, queueMs);
            }
            assertThat(server.path("attributes").path("client.port").asText()).isEqualTo(clientPort);
        }
        // a backlog of one cannot take eight connections at once: some SYNs were dropped and retransmitted
        assertThat(slowest).as("slowest connect").isGreaterThan(200.0);
        // the connections the server accepted from its queue waited there, as the client saw it
        assertThat(agreeing).as("accept-queue waits equal to what the client saw").isGreaterThanOrEqualTo(2);
        assertThat(longestAgreeingWait).as("longest accept-queue wait").isGreaterThan(100.0);
    }
}

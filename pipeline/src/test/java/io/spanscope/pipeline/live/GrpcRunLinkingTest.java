package io.spanscope.pipeline.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.pipeline.run.LocalRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gRPC hop in {@code spanscope run}: a grpc-go client and server (scripts/pcap-peers/grpc-go) traced
 * by {@link LocalRun}, in plaintext and over TLS (Go crypto/tls); every call the client made is one client
 * span and one server span, the server's child of the client's in the same trace, named and attributed as
 * gRPC, with the client's outcome.
 */
@Tag("live")
class GrpcRunLinkingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVICE = "spanscope.test.Echo";
    private static final Map<Integer, String> ERROR_TYPES = Map.of(5, "NOT_FOUND", 7, "PERMISSION_DENIED");

    @TempDir
    Path work;

    @ParameterizedTest
    @EnumSource(GrpcGoPeer.Transport.class)
    void everyCallsServerSpanIsTheChildOfItsClientSpanWithTheClientsOutcome(GrpcGoPeer.Transport transport)
            throws Exception {
        GrpcGoPeer peer = GrpcGoPeer.build(work, transport);
        int port = TestPorts.free();
        Path spansFile = work.resolve("spans.jsonl");
        List<String[]> calls = new ArrayList<>();
        long unnumberedReads;
        Process server = null;
        try (LocalRun run = LocalRun.builder(LiveCapture.builder().allowPorts(List.of(port))).spansOut(spansFile).start()) {
            server = peer.startServer(port, work.resolve("server.log"));
            if (transport == GrpcGoPeer.Transport.TLS) {
                // the binary is attached from the server's exec event; the client runs the same file
                awaitAttached(run, peer.binary(), Duration.ofSeconds(30));
            }
            // the script: unary OK, unary NOT_FOUND, PERMISSION_DENIED, each streaming kind, unary OK
            calls.addAll(peer.runClient(port).calls());
            calls.addAll(peer.runClient(port, "unary", "10").calls());
            assertThat(run.awaitCaptureDrained(Duration.ofSeconds(10))).isTrue();
            unnumberedReads = JSON.readTree(run.statusJson()).path("capture").path("tls").path("go").path("unnumberedReads")
                    .asLong(-1);
        } finally {
            if (server != null) {
                server.destroy();
                server.waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertThat(calls).hasSize(17);

        List<JsonNode> clientSpans = new ArrayList<>();
        List<JsonNode> serverSpans = new ArrayList<>();
        Map<String, JsonNode> bySpanId = new HashMap<>();
        for (String line : Files.readAllLines(spansFile)) {
            JsonNode span = JSON.readTree(line);
            if (!"grpc".equals(span.path("attributes").path("rpc.system").asText())) {
                continue;
            }
            bySpanId.put(span.path("spanId").asText(), span);
            (span.path("kind").asText().equals("CLIENT") ? clientSpans : serverSpans).add(span);
        }
        assertThat(clientSpans).as("client spans").hasSize(calls.size());
        assertThat(serverSpans).as("server spans").hasSize(calls.size());

        List<String> expectedCalls = new ArrayList<>();
        for (String[] call : calls) {
            expectedCalls.add(call[0] + " " + call[1]);
        }
        assertThat(clientSpans).extracting(GrpcRunLinkingTest::call).containsExactlyInAnyOrderElementsOf(expectedCalls);
        assertThat(serverSpans).extracting(GrpcRunLinkingTest::call).containsExactlyInAnyOrderElementsOf(expectedCalls);

        List<JsonNode> withoutClientParent = new ArrayList<>();
        for (JsonNode serverSpan : serverSpans) {
            JsonNode client = bySpanId.get(serverSpan.path("parentSpanId").asText());
            if (client == null) {
                withoutClientParent.add(serverSpan);
                continue;
            }
            assertThat(client.path("kind").asText()).isEqualTo("CLIENT");
            assertThat(serverSpan.path("traceId").asText()).isEqualTo(client.path("traceId").asText());
            assertThat(call(serverSpan)).isEqualTo(call(client));
            assertThat(serverSpan.path("attributes").path("spanscope.http2.stream_id").asLong())
                    .isEqualTo(client.path("attributes").path("spanscope.http2.stream_id").asLong());
        }
        // over TLS too: Go's Reads are numbered from Go's own record state, so every server span finds its client;
        // only a Read whose record Go's state did not show (counted) leaves its exchange unnumbered, and unlinked
        assertThat(unnumberedReads).as("capture.tls.go.unnumberedReads in the run's status").isNotNegative();
        assertThat((long) withoutClientParent.size()).as("server spans whose client span was not found: %s",
                withoutClientParent).isLessThanOrEqualTo(unnumberedReads);
        // each client span is the parent of exactly one server span
        assertThat(serverSpans).extracting(s -> s.path("parentSpanId").asText()).doesNotHaveDuplicates();

        for (JsonNode span : clientSpans) {
            assertRpcSpan(span);
        }
        for (JsonNode span : serverSpans) {
            assertRpcSpan(span);
        }
        // the script's two failing calls are errors of the caller; NOT_FOUND and PERMISSION_DENIED are not the
        // server's failures (OpenTelemetry's gRPC conventions), so its spans stay UNSET
        assertThat(clientSpans).filteredOn(s -> s.path("status").asText().equals("ERROR")).hasSize(2);
        assertThat(serverSpans).filteredOn(s -> s.path("status").asText().equals("ERROR")).isEmpty();
    }

    /** Client spans take a non-OK gRPC status as an error named by its status name; server spans only the server's codes. */
    private static void assertRpcSpan(JsonNode span) {
        JsonNode a = span.path("attributes");
        String method = a.path("rpc.method").asText();
        int code = a.path("rpc.grpc.status_code").asInt(-1);
        assertThat(a.path("rpc.service").asText()).isEqualTo(SERVICE);
        assertThat(span.path("name").asText()).isEqualTo(SERVICE + "/" + method);
        assertThat(code).as("status code of %s", span).isGreaterThanOrEqualTo(0);
        boolean clientError = span.path("kind").asText().equals("CLIENT") && code != 0;
        assertThat(span.path("status").asText()).as("status of %s", span).isEqualTo(clientError ? "ERROR" : "UNSET");
        assertThat(a.path("error.type").asText(null)).as("error.type of %s", span)
                .isEqualTo(clientError ? ERROR_TYPES.get(code) : null);
    }

    /** "/service/method code", as the client reports a call. */
    private static String call(JsonNode span) {
        JsonNode a = span.path("attributes");
        return "/" + a.path("rpc.service").asText() + "/" + a.path("rpc.method").asText() + " "
                + a.path("rpc.grpc.status_code").asText();
    }

    /** Waits until the TLS uprobes are on {@code binary}, as the run's status tells. */
    private static void awaitAttached(LocalRun run, Path binary, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!JSON.readTree(run.statusJson()).path("capture").path("tls").path("attachedFiles").toString()
                .contains(JSON.writeValueAsString(binary.toString()))) {
            assertThat(System.nanoTime()).as("%s attached: %s", binary, run.statusJson()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}

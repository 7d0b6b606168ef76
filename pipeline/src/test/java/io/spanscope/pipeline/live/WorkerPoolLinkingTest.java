package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.pipeline.run.LocalRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that hands each request's outbound call to a worker pool while several clients hit it at once:
 * the call's thread never read the request, and concurrent requests overlap in time. Such calls must be
 * linked to the request that caused them or left unlinked; not one may get a wrong parent.
 */
@Tag("live")
class WorkerPoolLinkingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void callsMadeFromAWorkerPoolAreLinkedToTheirOwnRequestOrNotAtAll() throws Exception {
        int frontendPort = TestPorts.free();
        int backendPort = TestPorts.free();
        int clients = 3;
        int requestsEach = 15;
        Path spansFile = work.resolve("spans.jsonl");
        String status;
        try (PythonPeer backend = PythonPeer.start(work, "chain_service.py", "backend.py", Map.of(),
                "--port", "" + backendPort);
             PythonPeer frontend = PythonPeer.start(work, "chain_service.py", "pooled_frontend.py", Map.of(),
                     "--port", "" + frontendPort, "--downstream", "http://127.0.0.1:" + backendPort, "--pool", "4")) {
            TestPorts.awaitListening(frontendPort, Duration.ofSeconds(20));
            TestPorts.awaitListening(backendPort, Duration.ofSeconds(20));
            try (LocalRun run = LocalRun.builder(LiveCapture.builder().allowPorts(List.of(frontendPort, backendPort)))
                    .spansOut(spansFile).start()) {
                List<PythonPeer> loadgens = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    loadgens.add(PythonPeer.start(work, "loadgen.py", "loadgen.py", Map.of(), "--port", "" + frontendPort,
                            "--count", "" + requestsEach, "--first", "" + (c * 1000 + 1), "--pause", "0"));
                }
                for (PythonPeer loadgen : loadgens) {
                    assertThat(loadgen.awaitExit(120)).hasSize(requestsEach);
                }
                assertThat(run.awaitCaptureDrained(Duration.ofSeconds(10))).isTrue();
                status = run.statusJson();
            }
        }
        Map<String, JsonNode> frontendServerById = new HashMap<>();
        List<JsonNode> frontendCalls = new ArrayList<>();
        for (String line : Files.readAllLines(spansFile)) {
            JsonNode span = JSON.readTree(line);
            if (!span.path("service").asText().equals("pooled_frontend")) {
                continue;
            }
            if (span.path("kind").asText().equals("SERVER")) {
                frontendServerById.put(span.path("spanId").asText(), span);
            } else {
                frontendCalls.add(span);
            }
        }
        assertThat(frontendServerById).hasSize(clients * requestsEach);
        assertThat(frontendCalls).hasSize(clients * requestsEach);
        int linked = 0;
        for (JsonNode call : frontendCalls) {
            String callPath = call.path("attributes").path("url.path").asText();
            String parentId = call.path("parentSpanId").asText(null);
            if (parentId == null) {
                assertThat(call.path("traceId").asText()).isNotEmpty();
                continue;
            }
            JsonNode parent = frontendServerById.get(parentId);
            assertThat(parent).as("parent of %s is a frontend server span", callPath).isNotNull();
            assertThat(parent.path("attributes").path("url.path").asText() + "/detail")
                    .as("the parent of the call %s is the request that made it", callPath).isEqualTo(callPath);
            assertThat(call.path("traceId").asText()).isEqualTo(parent.path("traceId").asText());
            linked++;
        }
        // How many the evidence allowed depends on how the requests overlapped and on the machine's load:
        // CPython's GIL hand-overs make forward hand-offs ambiguous and completions are off there, so with the
        // multiplexer and interrupt rules a CI run may link none (0-6 of 45 seen). This test is about
        // precision; worker-pool recall is asserted on a JVM pool by FidelityHarnessTest.
        System.out.printf("worker pool: %d of %d calls linked, the rest left unlinked; %s%n", linked,
                frontendCalls.size(), status.substring(status.indexOf("\"linker\"")).replaceAll("}.*", "}"));
    }
}

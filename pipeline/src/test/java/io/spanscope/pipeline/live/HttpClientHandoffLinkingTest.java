package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.pipeline.live.handoff.HandoffService;
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
 * The named hand-off: a JDK HttpServer with a thread pool whose handler calls a downstream service
 * through java.net.http.HttpClient, so the client's own threads write the request and read the response.
 * Under concurrent load every downstream call must be the child of the server span of the same request (the
 * request number travels in the path) or unlinked; the share linked is reported and held to a floor.
 */
@Tag("live")
class HttpClientHandoffLinkingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLIENTS = 4;
    private static final int REQUESTS_EACH = 30;

    @TempDir
    Path work;

    @Test
    void sendCallsAreChildrenOfTheirOwnRequestOrUnlinked() throws Exception {
        assertCallsAreChildrenOfTheirOwnRequestOrUnlinked("send");
    }

    @Test
    void sendAsyncCallsAreChildrenOfTheirOwnRequestOrUnlinked() throws Exception {
        assertCallsAreChildrenOfTheirOwnRequestOrUnlinked("async");
    }

    private void assertCallsAreChildrenOfTheirOwnRequestOrUnlinked(String mode) throws Exception {
        int frontendPort = TestPorts.free();
        int backendPort = TestPorts.free();
        String frontendName = "handoff_frontend_" + mode;
        Path spansFile = work.resolve("spans.jsonl");
        String status;
        try (PythonPeer backend = startService("handoff_backend", "--port", "" + backendPort);
             PythonPeer frontend = startService(frontendName, "--port", "" + frontendPort,
                     "--downstream", "http://127.0.0.1:" + backendPort, "--mode", mode)) {
            TestPorts.awaitListening(frontendPort, Duration.ofSeconds(30));
            TestPorts.awaitListening(backendPort, Duration.ofSeconds(30));
            try (LocalRun run = LocalRun.builder(LiveCapture.builder().allowPorts(List.of(frontendPort, backendPort)))
                    .spansOut(spansFile).start()) {
                List<PythonPeer> loadgens = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    loadgens.add(PythonPeer.start(work, "loadgen.py", "loadgen.py", Map.of(), "--port", "" + frontendPort,
                            "--count", "" + REQUESTS_EACH, "--first", "" + (c * 1000 + 1), "--pause", "0"));
                }
                for (PythonPeer loadgen : loadgens) {
                    assertThat(loadgen.awaitExit(120)).hasSize(REQUESTS_EACH).allMatch(line -> line.contains(" 200 "));
                }
                assertThat(run.awaitCaptureDrained(Duration.ofSeconds(10))).isTrue();
                status = run.statusJson();
            }
        }
        Map<String, JsonNode> serverById = new HashMap<>();
        List<JsonNode> calls = new ArrayList<>();
        for (String line : Files.readAllLines(spansFile)) {
            JsonNode span = JSON.readTree(line);
            if (!span.path("service").asText().equals(frontendName)) {
                continue;
            }
            if (span.path("kind").asText().equals("SERVER")) {
                serverById.put(span.path("spanId").asText(), span);
            } else {
                calls.add(span);
            }
        }
        int requests = CLIENTS * REQUESTS_EACH;
        assertThat(serverById).hasSize(requests);
        assertThat(calls).hasSize(requests);
        int linked = 0;
        List<String> wrong = new ArrayList<>();
        for (JsonNode call : calls) {
            String callPath = call.path("attributes").path("url.path").asText();
            String parentId = call.path("parentSpanId").asText(null);
            if (parentId == null) {
                continue;
            }
            JsonNode parent = serverById.get(parentId);
            if (parent == null || !(parent.path("attributes").path("url.path").asText() + "/detail").equals(callPath)
                    || !call.path("traceId").asText().equals(parent.path("traceId").asText())) {
                wrong.add(callPath + " (thread " + call.path("attributes").path("thread.id").asText() + ") under "
                        + (parent == null ? parentId : parent.path("attributes").path("url.path").asText() + " (thread "
                        + parent.path("attributes").path("thread.id").asText() + ")"));
            }
            linked++;
        }
        System.out.printf("HttpClient %s: %d of %d calls linked (%.1f%%); %s%n", mode, linked, requests,
                100.0 * linked / requests, linkerPart(status));
        assertThat(wrong).as("calls whose parent is not the request that made them").isEmpty();
        if (mode.equals("send")) {
            // the floor is loose (the machine is shared and noisy); the figure itself is reported above
            assertThat(linked).as("calls linked").isGreaterThanOrEqualTo(requests / 10);
        }
    }

    private PythonPeer startService(String serviceName, String... args) throws Exception {
        Path classes = Path.of(HandoffService.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classes.toString(), HandoffService.class.getName()));
        command.addAll(List.of(args));
        return PythonPeer.startCommand(command, Map.of("OTEL_SERVICE_NAME", serviceName));
    }

    private static String linkerPart(String status) {
        int at = status.indexOf("\"linker\"");
        return at < 0 ? status : status.substring(at, Math.min(status.length(), status.indexOf('}', at) + 1));
    }
}

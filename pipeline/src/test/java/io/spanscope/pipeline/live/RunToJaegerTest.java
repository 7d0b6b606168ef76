package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.pipeline.run.LocalRun;
import io.spanscope.spans.export.OtlpExportConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `spanscope run` end to end on real components: a load generator calls frontend, frontend calls backend
 * (ordinary Python servers with no tracing code), everything traced by eBPF and exported to a real Jaeger v2;
 * what the client measured is checked against what Jaeger's query API and the Prometheus endpoint say.
 */
@Tag("live")
class RunToJaegerTest {

    private static final String ROUTE = "GET /api/items/{id}";

    @TempDir
    Path work;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void everyRequestBecomesOneLinkedTraceInJaegerWithTheClientsTimingsAndTheMetricsCountIt() throws Exception {
        JaegerServer jaeger = closeLater(JaegerServer.start(work));
        int frontendPort = TestPorts.free();
        int backendPort = TestPorts.free();
        int inventoryPort = TestPorts.free();
        // named by its environment, as an OpenTelemetry-aware deployment would; the others by their script
        closeLater(PythonPeer.start(work, "chain_service.py", "chain_service.py", Map.of("OTEL_SERVICE_NAME", "inventory"),
                "--port", "" + inventoryPort));
        closeLater(PythonPeer.start(work, "chain_service.py", "backend.py", Map.of(), "--port", "" + backendPort,
                "--downstream", "http://127.0.0.1:" + inventoryPort));
        closeLater(PythonPeer.start(work, "chain_service.py", "frontend.py", Map.of(), "--port", "" + frontendPort,
                "--downstream", "http://127.0.0.1:" + backendPort));
        TestPorts.awaitListening(frontendPort, Duration.ofSeconds(20));
        TestPorts.awaitListening(backendPort, Duration.ofSeconds(20));
        TestPorts.awaitListening(inventoryPort, Duration.ofSeconds(20));
        LocalRun run = closeLater(LocalRun.builder(LiveCapture.builder()
                        .allowPorts(List.of(frontendPort, backendPort, inventoryPort)))
                .otlp(OtlpExportConfig.builder().endpoint(jaeger.otlpEndpoint()).build(), 10_000)
                .http("127.0.0.1", 0)
                .start());

        int requests = 20;
        PythonPeer loadgen = PythonPeer.start(work, "loadgen.py", "loadgen.py", Map.of(), "--port", "" + frontendPort,
                "--count", "" + requests);
        List<String> measured = loadgen.awaitExit(120);
        assertThat(measured).hasSize(requests);

        Map<String, JsonNode> tracesByPath = awaitTraces(jaeger, "loadgen", requests, 6);
        for (String line : measured) {
            String[] f = line.split(" ");
            String path = f[1];
            double clientMs = Double.parseDouble(f[3]);
            assertThat(f[2]).isEqualTo("200");
            JsonNode trace = tracesByPath.get(path);
            assertThat(trace).as("trace of %s", path).isNotNull();
            Map<String, JsonNode> spans = spansByServiceAndKind(trace);
            assertThat(spans.keySet()).as("spans of %s", path)
                    .containsExactlyInAnyOrder("loadgen/client", "frontend/server", "frontend/client", "backend/server",
                            "backend/client", "inventory/server");
            JsonNode loadgenClient = spans.get("loadgen/client");
            JsonNode frontendServer = spans.get("frontend/server");
            JsonNode frontendClient = spans.get("frontend/client");
            JsonNode backendServer = spans.get("backend/server");
            JsonNode backendClient = spans.get("backend/client");
            JsonNode inventoryServer = spans.get("inventory/server");
            for (JsonNode span : List.of(loadgenClient, frontendServer)) {
                assertThat(span.path("operationName").asText()).isEqualTo(ROUTE);
                assertThat(tag(span, "http.request.method")).isEqualTo("GET");
                assertThat(tag(span, "http.route")).isEqualTo("/api/items/{id}");
                assertThat(tag(span, "url.path")).isEqualTo(path);
                assertThat(tag(span, "http.response.status_code")).isEqualTo("200");
            }
            assertThat(tag(frontendClient, "url.path")).isEqualTo(path + "/detail");
            assertThat(tag(frontendClient, "peer.service")).isEqualTo("backend");
            assertThat(tag(backendServer, "http.route")).isEqualTo("/api/items/{id}/detail");
            // the client's own stopwatch and the span agree within a millisecond
            assertThat(durationMs(loadgenClient)).as("loadgen span of %s", path).isCloseTo(clientMs, within(1.0));
            // each hop nests in its caller: parents as the request flowed
            assertThat(parentOf(loadgenClient)).isNull();
            assertThat(parentOf(frontendServer)).isEqualTo(spanId(loadgenClient));
            assertThat(parentOf(frontendClient)).isEqualTo(spanId(frontendServer));
            assertThat(parentOf(backendServer)).isEqualTo(spanId(frontendClient));
            assertThat(durationMs(frontendServer)).isLessThanOrEqualTo(durationMs(loadgenClient));
            assertThat(durationMs(backendServer)).isLessThanOrEqualTo(durationMs(frontendClient));
            assertThat(parentOf(backendClient)).isEqualTo(spanId(backendServer));
            assertThat(parentOf(inventoryServer)).isEqualTo(spanId(backendClient));
            assertThat(tag(inventoryServer, "url.path")).isEqualTo(path + "/detail/detail");
            assertThat(durationMs(inventoryServer)).isLessThanOrEqualTo(durationMs(backendClient));
            assertThat(durationMs(backendClient)).isLessThanOrEqualTo(durationMs(backendServer));
        }
        assertThat(jaeger.services()).contains("loadgen", "frontend", "backend", "inventory");
        List<String> edges = new ArrayList<>();
        long now = System.currentTimeMillis();
        jaeger.get("/api/dependencies?endTs=" + now + "&lookback=3600000").path("data")
                .forEach(d -> edges.add(d.path("parent").asText() + "->" + d.path("child").asText()
                        + "=" + d.path("callCount").asLong()));
        assertThat(edges).contains("frontend->backend=" + requests, "backend->inventory=" + requests,
                "loadgen->frontend=" + requests);

        String metrics = scrape(run.httpPort());
        assertThat(sample(metrics, "traces_span_metrics_calls_total", "service_name=\"frontend\"", "span_name=\"" + ROUTE + "\"",
                "span_kind=\"SPAN_KIND_SERVER\"")).isEqualTo(requests);
        assertThat(sample(metrics, "traces_span_metrics_duration_milliseconds_count", "service_name=\"backend\"",
                "span_kind=\"SPAN_KIND_SERVER\"")).isEqualTo(requests);
        assertThat(sample(metrics, "traces_service_graph_request_total", "client=\"frontend\"", "server=\"backend\""))
                .isEqualTo(requests);
        assertThat(sample(metrics, "traces_service_graph_request_server_seconds_count", "client=\"loadgen\"",
                "server=\"frontend\"")).isEqualTo(requests);
        assertThat(sample(metrics, "spanscope_capture_ring_buffer_drops")).isZero();
    }

    private Map<String, JsonNode> awaitTraces(JaegerServer jaeger, String service, int count, int spansEach)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, JsonNode> byPath = new HashMap<>();
        while (System.nanoTime() < deadline) {
            byPath.clear();
            for (JsonNode trace : jaeger.traces(service, 1000)) {
                if (trace.path("spans").size() < spansEach) {
                    continue;
                }
                for (JsonNode span : trace.path("spans")) {
                    if (service.equals(serviceOf(trace, span))) {
                        byPath.put(tag(span, "url.path"), trace);
                    }
                }
            }
            if (byPath.size() >= count) {
                return byPath;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Jaeger holds " + byPath.size() + " complete traces of " + service + ", expected " + count
                + ": " + jaeger.traces(service, 1000));
    }

    static Map<String, JsonNode> spansByServiceAndKind(JsonNode trace) {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode span : trace.path("spans")) {
            out.put(serviceOf(trace, span) + "/" + tag(span, "span.kind"), span);
        }
        return out;
    }

    static String serviceOf(JsonNode trace, JsonNode span) {
        return trace.path("processes").path(span.path("processID").asText()).path("serviceName").asText();
    }

    static String tag(JsonNode span, String key) {
        for (JsonNode tag : span.path("tags")) {
            if (tag.path("key").asText().equals(key)) {
                return tag.path("value").asText();
            }
        }
        return null;
    }

    static String spanId(JsonNode span) {
        return span.path("spanID").asText();
    }

    static String parentOf(JsonNode span) {
        for (JsonNode ref : span.path("references")) {
            if (ref.path("refType").asText().equals("CHILD_OF")) {
                return ref.path("spanID").asText();
            }
        }
        return null;
    }

    static double durationMs(JsonNode span) {
        return span.path("duration").asLong() / 1000.0;
    }

    static String scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The sum of the samples of {@code name} whose labels contain all of {@code labels}. */
    static long sample(String metrics, String name, String... labels) {
        long sum = 0;
        for (String line : metrics.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            boolean all = true;
            for (String l : labels) {
                all &= line.contains(l);
            }
            if (all) {
                sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        toClose.add(resource);
        return resource;
    }
}

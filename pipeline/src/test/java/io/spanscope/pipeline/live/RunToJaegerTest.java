package io.spanscope.pipeline.live;

import static io.spanscope.pipeline.live.ChainTraces.ROUTE;
import static io.spanscope.pipeline.live.ChainTraces.assertLinkedChain;
import static io.spanscope.pipeline.live.ChainTraces.awaitTraces;
import static io.spanscope.pipeline.live.ChainTraces.dependencies;
import static io.spanscope.pipeline.live.ChainTraces.sample;
import static io.spanscope.pipeline.live.ChainTraces.scrape;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.pipeline.run.LocalRun;
import io.spanscope.spans.export.OtlpExportConfig;

import java.nio.file.Path;
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

    @TempDir
    Path work;

    private final TestResources resources = new TestResources();

    @AfterEach
    void stop() throws Exception {
        resources.close();
    }

    @Test
    void everyRequestBecomesOneLinkedTraceInJaegerWithTheClientsTimingsAndTheMetricsCountIt() throws Exception {
        JaegerServer jaeger = closeLater(JaegerServer.start(work));
        LoopbackChain chain = LoopbackChain.start(resources, work);
        int frontendPort = chain.frontendPort();
        LocalRun run = closeLater(LocalRun.builder(LiveCapture.builder()
                        .allowPorts(chain.ports()))
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
            assertThat(f[2]).isEqualTo("200");
            assertLinkedChain(tracesByPath.get(f[1]), f[1], Double.parseDouble(f[3]));
        }
        assertThat(jaeger.services()).contains("loadgen", "frontend", "backend", "inventory");
        assertThat(dependencies(jaeger)).contains("frontend->backend=" + requests, "backend->inventory=" + requests,
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

    private <T extends AutoCloseable> T closeLater(T resource) {
        return resources.add(resource);
    }
}

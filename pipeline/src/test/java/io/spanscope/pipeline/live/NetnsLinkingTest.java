package io.spanscope.pipeline.live;

import static io.spanscope.pipeline.live.ChainTraces.ROUTE;
import static io.spanscope.pipeline.live.ChainTraces.assertLinkedChain;
import static io.spanscope.pipeline.live.ChainTraces.awaitTraces;
import static io.spanscope.pipeline.live.ChainTraces.dependencies;
import static io.spanscope.pipeline.live.ChainTraces.sample;
import static io.spanscope.pipeline.live.ChainTraces.scrape;
import static io.spanscope.pipeline.live.ChainTraces.tag;
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
 * The chain of {@link RunToJaegerTest} with every service in its own network namespace and address, as pods
 * on one node: calls cross a bridge and are routed in the root namespace, each hop differently —
 * loadgen → frontend straight to frontend's address, frontend → backend through a DNAT'ed service address
 * and port (the callee sees the caller's own address), backend → inventory through a service address with
 * the caller masqueraded (the callee sees the gateway). Span ids come from TCP sequence numbers, which
 * NAT leaves alone, so every request must still be one linked trace.
 */
@Tag("live")
class NetnsLinkingTest {

    @TempDir
    Path work;

    private final TestResources resources = new TestResources();

    @AfterEach
    void stop() throws Exception {
        resources.close();
    }

    @Test
    void everyRequestIsOneLinkedTraceAcrossNamespacesBridgeAndNat() throws Exception {
        NetnsLab lab = closeLater(NetnsLab.up("ssn" + ProcessHandle.current().pid(), "loadgen", "frontend", "backend",
                "inventory"));
        JaegerServer jaeger = closeLater(JaegerServer.start(work));
        NetnsChain chain = NetnsChain.start(resources, work, lab);
        LocalRun run = closeLater(LocalRun.builder(LiveCapture.builder().allowPorts(
                        chain.ports()))
                .otlp(OtlpExportConfig.builder().endpoint(jaeger.otlpEndpoint()).build(), 10_000)
                .http("127.0.0.1", 0)
                .start());

        int requests = 20;
        PythonPeer loadgen = PythonPeer.startUnder(lab.exec("loadgen"), work, "loadgen.py", "loadgen.py", Map.of(),
                "--host", lab.address("frontend"), "--port", "" + chain.frontendPort(), "--count", "" + requests);
        List<String> measured = loadgen.awaitExit(120);
        assertThat(measured).hasSize(requests);

        Map<String, JsonNode> tracesByPath = awaitTraces(jaeger, "loadgen", requests, 6);
        for (String line : measured) {
            String[] f = line.split(" ");
            assertThat(f[2]).isEqualTo("200");
            Map<String, JsonNode> spans = assertLinkedChain(tracesByPath.get(f[1]), f[1], Double.parseDouble(f[3]));
            // each end reports the addresses its own namespace sees: NAT really happened between them
            assertThat(tag(spans.get("loadgen/client"), "network.peer.address")).isEqualTo(lab.address("frontend"));
            assertThat(tag(spans.get("frontend/server"), "client.address")).isEqualTo(lab.address("loadgen"));
            assertThat(tag(spans.get("frontend/client"), "network.peer.address")).isEqualTo(chain.backendService());
            assertThat(tag(spans.get("frontend/client"), "network.peer.port")).isEqualTo("" + chain.backendServicePort());
            assertThat(tag(spans.get("backend/server"), "client.address")).isEqualTo(lab.address("frontend"));
            assertThat(tag(spans.get("backend/client"), "network.peer.address")).isEqualTo(chain.inventoryService());
            assertThat(tag(spans.get("backend/client"), "peer.service")).isEqualTo("inventory");
            assertThat(tag(spans.get("inventory/server"), "client.address")).isEqualTo(lab.gateway());
        }
        assertThat(dependencies(jaeger)).contains("frontend->backend=" + requests, "backend->inventory=" + requests,
                "loadgen->frontend=" + requests);

        String metrics = scrape(run.httpPort());
        assertThat(sample(metrics, "traces_span_metrics_calls_total", "service_name=\"frontend\"",
                "span_name=\"" + ROUTE + "\"", "span_kind=\"SPAN_KIND_SERVER\"")).isEqualTo(requests);
        assertThat(sample(metrics, "traces_service_graph_request_total", "client=\"backend\"", "server=\"inventory\""))
                .isEqualTo(requests);
        // no caller was taken for one outside this host, and no server span waited in vain for its parent
        assertThat(metrics).contains("spanscope_spans_resolver_external_roots", "spanscope_spans_resolver_timed_out_roots");
        assertThat(sample(metrics, "spanscope_spans_resolver_external_roots")).isZero();
        assertThat(sample(metrics, "spanscope_spans_resolver_timed_out_roots")).isZero();
        assertThat(sample(metrics, "spanscope_capture_ring_buffer_drops")).isZero();
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        return resources.add(resource);
    }
}

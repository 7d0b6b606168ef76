package io.spanscope.pipeline.live;

import static io.spanscope.pipeline.live.ChainTraces.assertLinkedChain;
import static io.spanscope.pipeline.live.ChainTraces.awaitTraces;
import static io.spanscope.pipeline.live.ChainTraces.dependencies;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.pipeline.agent.AgentRun;
import io.spanscope.pipeline.builder.SpanBuilderConfig;
import io.spanscope.pipeline.builder.SpanBuilderService;
import io.spanscope.pipeline.config.AgentConfig;
import io.spanscope.pipeline.config.KafkaConfig;
import io.spanscope.pipeline.config.Setting;
import io.spanscope.pipeline.config.Settings;
import io.spanscope.spans.export.OtlpExportConfig;
import io.spanscope.spans.export.OtlpExporters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distributed mode end to end: the chain of {@link NetnsLinkingTest} (each service in its own network
 * namespace, NAT between them) spread over two "nodes" — node 1 runs loadgen and frontend, node 2 backend
 * and inventory — each traced by its own agent that captures only its node's ends of the connections; one
 * broker; one span builder; Jaeger. The frontend → backend link crosses the nodes, so only the span
 * builder can make it. Every request must be the same linked trace as in {@code spanscope run}.
 */
@Tag("live")
class DistributedNetnsToJaegerTest {

    @TempDir
    Path work;

    private final TestResources resources = new TestResources();

    @AfterEach
    void stop() throws Exception {
        resources.close();
    }

    @Test
    void twoAgentsOneBrokerOneSpanBuilderGiveTheLinkedTracesOfRun() throws Exception {
        NetnsLab lab = closeLater(NetnsLab.up("sdn" + ProcessHandle.current().pid(), "loadgen", "frontend", "backend",
                "inventory"));
        JaegerServer jaeger = closeLater(JaegerServer.start(work));
        KafkaBroker kafka = closeLater(KafkaBroker.start(work, 4));
        kafka.createTopics(4, "spanscope.fragments", "spanscope.agent-heartbeats");
        NetnsChain chain = NetnsChain.start(resources, work, lab);

        SpanBuilderService builder = closeLater(SpanBuilderService.start(SpanBuilderConfig.from(Settings.of(Map.of(
                        Setting.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                        Setting.BUILDER_STATE_DIR, work.resolve("builder-state").toString(),
                        Setting.HTTP_PORT, "-1"))),
                OtlpExporters.create(OtlpExportConfig.builder().endpoint(jaeger.otlpEndpoint()).build()),
                Duration.ofSeconds(10)));
        // a node's agent sees only its own ends: node 1 the loadgen → frontend exchange (both ends) and
        // frontend's call to the backend's service address; node 2 the backend's end of that call and
        // the backend → inventory exchange
        closeLater(agent(kafka, "node-1", List.of(chain.frontendPort(), chain.backendServicePort())));
        closeLater(agent(kafka, "node-2", List.of(chain.backendPort(), chain.inventoryServicePort(), chain.inventoryPort())));

        int requests = 20;
        PythonPeer loadgen = PythonPeer.startUnder(lab.exec("loadgen"), work, "loadgen.py", "loadgen.py", Map.of(),
                "--host", lab.address("frontend"), "--port", "" + chain.frontendPort(), "--count", "" + requests);
        List<String> measured = loadgen.awaitExit(120);
        assertThat(measured).hasSize(requests);

        Map<String, JsonNode> tracesByPath = awaitTraces(jaeger, "loadgen", requests, 6);
        for (String line : measured) {
            String[] f = line.split(" ");
            assertThat(f[2]).isEqualTo("200");
            // the same trace as run's, but node 1's agent cannot name the service at the backend's address
            Map<String, JsonNode> spans = assertLinkedChain(tracesByPath.get(f[1]), f[1], Double.parseDouble(f[3]), false);
            assertThat(ChainTraces.tag(spans.get("backend/client"), "peer.service")).isEqualTo("inventory");
        }
        assertThat(dependencies(jaeger)).contains("frontend->backend=" + requests, "backend->inventory=" + requests,
                "loadgen->frontend=" + requests);
        assertThat(builder.resolverCounters().timedOutRoots()).isZero();
        assertThat(builder.resolverCounters().duplicateFragments()).isZero();
    }

    private AgentRun agent(KafkaBroker kafka, String id, List<Integer> ports) throws Exception {
        AgentConfig config = AgentConfig.builder().agentId(id)
                .kafka(KafkaConfig.builder().bootstrapServers(kafka.bootstrapServers()).clientId("agent-" + id).build())
                .heartbeatInterval(Duration.ofSeconds(1))
                .linger(Duration.ofMillis(5))
                .http("127.0.0.1", -1)
                .build();
        return AgentRun.builder(LiveCapture.builder().allowPorts(ports), config)
                .hostName(id)
                .shutdownTimeout(Duration.ofSeconds(30))
                .start();
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        return resources.add(resource);
    }
}

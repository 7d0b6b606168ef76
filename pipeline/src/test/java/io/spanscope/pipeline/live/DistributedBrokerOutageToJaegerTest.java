package io.spanscope.pipeline.live;

import static io.spanscope.pipeline.live.ChainTraces.assertLinkedChain;
import static io.spanscope.pipeline.live.ChainTraces.awaitTraces;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.pipeline.agent.AgentRun;
import io.spanscope.pipeline.agent.PublisherStats;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distributed mode through a broker outage, judged where users look: in Jaeger. An agent traces the
 * loadgen → frontend → backend → inventory chain and publishes to Kafka; a span builder resolves and exports
 * to Jaeger. The broker is stopped for 30 s in the middle of the load and restarted on the same data: every
 * request made before, during and after the outage must be one complete, linked trace, and no span may be
 * stored twice (the agent's buffer holds what the broker could not take; the producer is idempotent and the
 * span builder drops fragments it has already resolved).
 */
@Tag("live")
class DistributedBrokerOutageToJaegerTest {

    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @TempDir
    Path work;

    private final TestResources resources = new TestResources();

    @AfterEach
    void stop() throws Exception {
        resources.close();
    }

    @Test
    void aThirtySecondBrokerOutageLosesNoTraceAndDuplicatesNoSpan() throws Exception {
        JaegerServer jaeger = closeLater(JaegerServer.start(work));
        KafkaBroker kafka = closeLater(KafkaBroker.start(work, 4));
        kafka.createTopics(4, "spanscope.fragments", "spanscope.agent-heartbeats");
        LoopbackChain chain = LoopbackChain.start(resources, work);
        int frontendPort = chain.frontendPort();

        SpanBuilderService builder = closeLater(SpanBuilderService.start(SpanBuilderConfig.from(Settings.of(Map.of(
                        Setting.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                        Setting.BUILDER_STATE_DIR, work.resolve("builder-state").toString(),
                        Setting.HTTP_PORT, "-1"))),
                OtlpExporters.create(OtlpExportConfig.builder().endpoint(jaeger.otlpEndpoint()).build()),
                Duration.ofSeconds(10)));
        long running = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!builder.running() && System.nanoTime() < running) {
            Thread.sleep(100);
        }
        assertThat(builder.running()).as("span builder running").isTrue();
        AgentRun agent = closeLater(AgentRun.builder(
                        LiveCapture.builder().allowPorts(chain.ports()),
                        AgentConfig.builder().agentId("node-1")
                                .kafka(KafkaConfig.builder().bootstrapServers(kafka.bootstrapServers())
                                        .clientId("agent-node-1").build())
                                .heartbeatInterval(Duration.ofSeconds(1))
                                .linger(Duration.ofMillis(5))
                                .http("127.0.0.1", -1)
                                .build())
                .hostName("node-1")
                .shutdownTimeout(Duration.ofSeconds(30))
                .start());

        List<String> measured = new ArrayList<>(load(frontendPort, 1, 10));
        kafka.stop();
        long outageStart = System.nanoTime();
        measured.addAll(load(frontendPort, 101, 20));
        Thread.sleep(Math.max(0, OUTAGE.toMillis() - (System.nanoTime() - outageStart) / 1_000_000));
        assertThat(agent.publisherStats().queuedRecords() + agent.publisherStats().inFlightRecords())
                .as("fragments the agent held while the broker was down").isPositive();
        kafka.start();
        measured.addAll(load(frontendPort, 201, 10));
        assertThat(measured).hasSize(40);

        Map<String, JsonNode> tracesByPath;
        try {
            tracesByPath = awaitAllTraces(jaeger, measured.size(), Duration.ofSeconds(120));
        } catch (AssertionError incomplete) {
            StringBuilder partial = new StringBuilder();
            for (String service : List.of("loadgen", "frontend", "backend", "inventory")) {
                for (JsonNode trace : jaeger.traces(service, 1000)) {
                    if (trace.path("spans").size() != 6) {
                        partial.append(service).append(" trace of ").append(trace.path("spans").size()).append(": ");
                        for (JsonNode span : trace.path("spans")) {
                            partial.append(ChainTraces.serviceOf(trace, span)).append('/')
                                    .append(ChainTraces.tag(span, "span.kind")).append(' ')
                                    .append(ChainTraces.tag(span, "url.path")).append(' ')
                                    .append(span.path("startTime").asLong()).append(", ");
                        }
                        partial.append("; ");
                    }
                }
            }
            throw new AssertionError("partial traces: " + partial + " agent " + agent.publisherStats()
                    + "; span builder " + builder.resolverCounters() + "; " + incomplete.getMessage(), incomplete);
        }
        Set<String> spanIds = new HashSet<>();
        int spans = 0;
        for (String line : measured) {
            String[] f = line.split(" ");
            assertThat(f[2]).isEqualTo("200");
            JsonNode trace = tracesByPath.get(f[1]);
            // the broker stopping and the agent buffering load the machine while loadgen measures: the
            // scheduler may take tens of milliseconds from its stopwatch, never add to its span
            assertLinkedChain(trace, f[1], Double.parseDouble(f[3]), true, 250.0);
            for (JsonNode span : trace.path("spans")) {
                spanIds.add(span.path("spanID").asText());
                spans++;
            }
        }
        assertThat(spans).as("spans stored in Jaeger").isEqualTo(measured.size() * 6);
        assertThat(spanIds).as("distinct span ids").hasSize(spans);
        PublisherStats published = agent.publisherStats();
        assertThat(published.droppedRecords()).isZero();
        assertThat(published.failedRecords()).isZero();
        assertThat(builder.resolverCounters().timedOutRoots()).isZero();
    }

    private List<String> load(int port, int first, int count) throws Exception {
        PythonPeer loadgen = PythonPeer.start(work, "loadgen.py", "loadgen.py", Map.of(),
                "--port", "" + port, "--count", "" + count, "--first", "" + first);
        return loadgen.awaitExit(120);
    }

    /** The broker and the span builder's stream threads take a while to come back: keep asking Jaeger. */
    private static Map<String, JsonNode> awaitAllTraces(JaegerServer jaeger, int count, Duration patience)
            throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                return awaitTraces(jaeger, "loadgen", count, 6);
            } catch (AssertionError notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
            }
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        return resources.add(resource);
    }
}

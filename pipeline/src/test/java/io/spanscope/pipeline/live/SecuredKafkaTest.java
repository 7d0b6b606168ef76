package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.live.LiveCapture;
import io.spanscope.pipeline.agent.AgentRun;
import io.spanscope.pipeline.agent.PublisherStats;
import io.spanscope.pipeline.builder.SpanBuilderConfig;
import io.spanscope.pipeline.builder.SpanBuilderService;
import io.spanscope.pipeline.config.AgentConfig;
import io.spanscope.pipeline.config.Setting;
import io.spanscope.pipeline.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent and span builder against a broker that takes clients only over SASL_SSL (SCRAM-SHA-512, the broker's
 * certificate signed by a CA of the test's own), configured the way a user does: the {@code kafka.tls.*} and
 * {@code kafka.sasl.*} settings, a PEM CA file, host-name verification on.
 */
@Tag("live")
class SecuredKafkaTest {

    private static final String USER = "spanscope-agent";
    private static final String PASSWORD = "s3cret-pa55word";
    private static final int REQUESTS = 20;

    @TempDir
    Path work;

    private KafkaBroker kafka;
    private CatalogService service;

    @BeforeEach
    void start() throws Exception {
        kafka = KafkaBroker.startSecured(work, 2, USER, PASSWORD);
        kafka.createTopics(2, "spanscope.fragments", "spanscope.agent-heartbeats");
        service = CatalogService.start(work);
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void fragmentsReachTheSpanBuilderOverSaslSsl() throws Exception {
        RecordingSpanExporter exporter = new RecordingSpanExporter(null);
        SpanBuilderConfig builderConfig = SpanBuilderConfig.from(Settings.of(secured(PASSWORD, Map.of(
                Setting.BUILDER_PARENT_WAIT, "5s",
                Setting.BUILDER_STATE_DIR, work.resolve("streams").toString(),
                Setting.HTTP_PORT, "-1"))));
        try (SpanBuilderService builder = SpanBuilderService.start(builderConfig, exporter, Duration.ofSeconds(5))) {
            AgentRun agent = agent(PASSWORD).start();
            try {
                service.load(1, REQUESTS);
                await(() -> agent.publisherStats().sentRecords() == 2 * REQUESTS, "every fragment acknowledged");
                await(() -> exporter.lines().size() == 2 * REQUESTS, "every span exported");
            } finally {
                agent.close();
            }
            PublisherStats stats = agent.publisherStats();
            assertThat(stats.droppedRecords() + stats.failedRecords()).isZero();
            assertThat(agent.heartbeatStats().sent()).isPositive();
            assertThat(agent.heartbeatStats().failed()).isZero();
        }
        // each request: the load generator's call (a root) and the catalog's answer, its child, in one trace
        Map<String, String[]> bySpan = exporter.lines().stream().map(l -> l.split(" "))
                .collect(Collectors.toMap(f -> f[0], f -> f));
        List<String[]> children = bySpan.values().stream().filter(f -> !f[2].equals("0000000000000000")).toList();
        assertThat(children).hasSize(REQUESTS).allSatisfy(child -> {
            String[] parent = bySpan.get(child[2]);
            assertThat(parent).as("parent of %s", child[0]).isNotNull();
            assertThat(parent[1]).isEqualTo(child[1]);
            assertThat(parent[2]).isEqualTo("0000000000000000");
        });
    }

    @Test
    void aWrongPasswordKeepsFragmentsQueuedAndSaysWhy() throws Exception {
        AgentRun agent = agent("not the password").start();
        try {
            service.load(1, 5);
            await(() -> agent.publisherStats().recordsIn() == 10, "the 10 fragments queued");
            await(() -> agent.statusJson().contains("Authentication failed"), "the failure named in /status");
            PublisherStats stats = agent.publisherStats();
            assertThat(stats.sentRecords()).isZero();
            assertThat(stats.queuedRecords()).isEqualTo(10);
            assertThat(stats.droppedRecords() + stats.failedRecords()).isZero();
        } finally {
            agent.close(); // what is still queued then is counted as dropped
        }
        assertThat(agent.publisherStats().droppedRecords() + agent.publisherStats().failedRecords()).isEqualTo(10);
    }

    private Map<Setting, String> secured(String password, Map<Setting, String> more) {
        Map<Setting, String> settings = new HashMap<>(more);
        settings.put(Setting.KAFKA_BOOTSTRAP_SERVERS, kafka.saslSslBootstrapServers());
        settings.put(Setting.KAFKA_TLS_CA_FILE, kafka.caFile().toString());
        settings.put(Setting.KAFKA_SASL_MECHANISM, "SCRAM-SHA-512");
        settings.put(Setting.KAFKA_SASL_USERNAME, USER);
        settings.put(Setting.KAFKA_SASL_PASSWORD, password);
        return settings;
    }

    private AgentRun.Builder agent(String password) {
        AgentConfig config = AgentConfig.from(Settings.of(secured(password, Map.of(
                Setting.AGENT_ID, "secured-agent",
                Setting.AGENT_HEARTBEAT_INTERVAL, "1s",
                Setting.KAFKA_LINGER, "5ms",
                Setting.HTTP_PORT, "-1"))), "node-1");
        return AgentRun.builder(LiveCapture.builder().allowPorts(List.of(service.port())), config)
                .shutdownTimeout(Duration.ofSeconds(10));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        CatalogService.await(condition, Duration.ofSeconds(90), what);
    }
}

package io.spanscope.pipeline.builder;

import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.spanscope.pipeline.http.StatsMetrics;
import io.spanscope.spans.export.SpanExportQueue;
import io.spanscope.spans.metrics.MetricsListener;
import io.spanscope.spans.metrics.MetricsSource;
import io.spanscope.spans.metrics.PrometheusWriter;
import io.spanscope.spans.metrics.ServiceGraphMetrics;
import io.spanscope.spans.metrics.SpanMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/**
 * One span-builder instance: the resolution topology on Kafka Streams, the exporter that turns resolved
 * fragments into OTLP spans and RED / service-graph metrics, and the agents' heartbeats. Instances with
 * the same application id share the partitions.
 */
public final class SpanBuilderService implements AutoCloseable {

    /** Records of up to {@link FragmentResolverProcessor#MAX_FRAGMENTS_PER_RECORD} fragments: ≤ 2 048 per poll. */
    private static final int MAX_POLL_RECORDS = 64;

    private final SpanBuilderConfig config;
    private final ResolverStatsRegistry resolverStats = new ResolverStatsRegistry();
    private final SpanMetrics red = new SpanMetrics(10_000);
    private final ServiceGraphMetrics graph = new ServiceGraphMetrics(10_000);
    private final SpanExportQueue export;
    private final KafkaStreams streams;
    private final ResolvedFragmentExporter exporter;
    private final AgentHeartbeats heartbeats;
    private final Thread exporterThread;
    private final Thread heartbeatThread;

    private SpanBuilderService(SpanBuilderConfig config, int partitions, SpanExporter spanExporter,
                               Duration exportTimeout, Map<String, Object> clientOverrides) {
        this.config = config;
        // at most one poll beyond what was exported is in the queue: it never overflows
        int capacity = Math.max(config.exportQueueSpans(),
                MAX_POLL_RECORDS * FragmentResolverProcessor.MAX_FRAGMENTS_PER_RECORD * 64);
        this.export = new SpanExportQueue(spanExporter, capacity, 512, Duration.ofMillis(100), exportTimeout,
                Duration.ofSeconds(5));
        Map<String, Object> client = new java.util.HashMap<>(config.kafka().clientProperties());
        client.putAll(clientOverrides);
        Map<String, Object> streamsProps = new java.util.HashMap<>(config.streamsProperties());
        streamsProps.putAll(clientOverrides);
        this.streams = new KafkaStreams(SpanBuilderTopology.build(config.topology(), resolverStats, partitions),
                new org.apache.kafka.streams.StreamsConfig(streamsProps));
        this.exporter = new ResolvedFragmentExporter(client, config.applicationId() + "-export",
                config.topology().resolvedTopic(), export, new MetricsListener(red, graph), MAX_POLL_RECORDS);
        this.heartbeats = new AgentHeartbeats(client, config.kafka().heartbeatsTopic(), 10_000,
                () -> System.currentTimeMillis() * 1_000_000L);
        this.exporterThread = new Thread(exporter, "spanscope-builder-export");
        this.heartbeatThread = new Thread(heartbeats, "spanscope-builder-heartbeats");
        this.heartbeatThread.setDaemon(true);
    }

    /**
     * Checks the topics (creating missing ones), then starts Streams, the exporter and the heartbeat reader.
     *
     * @throws IllegalStateException with a one-line reason when Kafka cannot be reached or the topics do not fit
     */
    public static SpanBuilderService start(SpanBuilderConfig config, SpanExporter spanExporter, Duration exportTimeout)
            throws InterruptedException {
        return start(config, spanExporter, exportTimeout, Map.of());
    }

    /**
     * @param clientOverrides Kafka client properties applied on top of the configuration to Streams and the
     *                        consumers (tests shorten session timeouts with it)
     */
    public static SpanBuilderService start(SpanBuilderConfig config, SpanExporter spanExporter, Duration exportTimeout,
                                           Map<String, Object> clientOverrides) throws InterruptedException {
        int partitions = TopicLayout.ensure(config.kafka().clientProperties(), config.topology(), config.partitions());
        SpanBuilderService service = new SpanBuilderService(config, partitions, spanExporter, exportTimeout,
                clientOverrides);
        service.streams.start();
        service.exporterThread.start();
        service.heartbeatThread.start();
        return service;
    }

    public boolean running() {
        return streams.state() == KafkaStreams.State.RUNNING && exporterThread.isAlive();
    }

    public KafkaStreams.State streamsState() {
        return streams.state();
    }

    public ResolverCounters resolverCounters() {
        return resolverStats.total();
    }

    public ExporterStats exporterStats() {
        return exporter.stats();
    }

    public SpanExportQueue exportQueue() {
        return export;
    }

    /** Metric families for /metrics: resolution, export, RED, service graph, agents' heartbeats. */
    public List<MetricsSource> metrics() {
        return List.of(red, graph, heartbeats, this::writeOwnMetrics);
    }

    private void writeOwnMetrics(PrometheusWriter w) {
        StatsMetrics.write(w, "spanscope_builder_resolver", resolverStats.total());
        StatsMetrics.write(w, "spanscope_builder_exporter", exporter.stats());
        StatsMetrics.write(w, "spanscope_export", export.stats());
        w.family("spanscope_builder_streams_running", "gauge", "1 while Kafka Streams is RUNNING");
        w.sample("spanscope_builder_streams_running", streams.state() == KafkaStreams.State.RUNNING ? 1 : 0);
    }

    /**
     * Clean stop: Streams commits and leaves the group, the exporter exports and commits what it read,
     * then the export queue is given {@code timeout} to drain.
     */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    public void close(Duration timeout) {
        streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(timeout));
        exporter.stop();
        try {
            exporterThread.join(timeout.toMillis());
            if (exporterThread.isAlive()) {
                exporter.wakeup();
                exporterThread.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        heartbeats.stop();
        export.shutdown(timeout);
    }
}

package io.spanscope.pipeline.agent;

import io.spanscope.capture.live.CaptureStartException;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.pipeline.config.AgentConfig;
import io.spanscope.pipeline.console.StatsJson;
import io.spanscope.pipeline.http.AgentHttpServer;
import io.spanscope.pipeline.http.StatsMetrics;
import io.spanscope.pipeline.run.CaptureIntoPipeline;
import io.spanscope.pipeline.run.LocalAddresses;
import io.spanscope.spans.SpanPipeline;
import io.spanscope.spans.link.LinkerConfig;
import io.spanscope.spans.metrics.PrometheusWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * {@code spanscope agent}: live capture → per-worker parsers → span factory and local linker (the span
 * pipeline with a fragment sink instead of the resolver) → {@link FragmentPublisher} → Kafka, heartbeats
 * on a timer, and the HTTP endpoints. The capture never waits for Kafka: the publish queue drops the
 * oldest fragments when full and counts them.
 */
public final class AgentRun implements AutoCloseable {

    private final AgentConfig config;
    private final LiveCapture capture;
    private final Producer<byte[], byte[]> producer;
    private final FragmentPublisher publisher;
    private final HeartbeatPublisher heartbeats;
    private final SpanPipeline pipeline;
    private final ScheduledExecutorService timer;
    private final CaptureIntoPipeline workers = new CaptureIntoPipeline();
    private final Duration shutdownTimeout;
    private final AgentHttpServer http;
    private volatile boolean running;
    private boolean closed;

    private AgentRun(Builder b) throws CaptureStartException {
        this.config = b.config;
        this.shutdownTimeout = b.shutdownTimeout;
        this.capture = b.capture.build();
        this.producer = b.producerFactory.apply(config.producerProperties());
        // the producer's memory is its own retry buffer; keep a margin so send() never blocks on it
        this.publisher = new FragmentPublisher(producer, config.kafka().fragmentsTopic(), config.agentId(),
                config.bufferBytes(), config.producerMemory() * 3 / 4, AgentRun::epochNanos).start();
        this.pipeline = SpanPipeline.builder()
                .clock(capture.clock())
                .processes(capture.processes()::get)
                .hostName(b.hostName)
                .peerIsTraced(LocalAddresses.ofHost())
                .linkerConfig(b.linker)
                .connectionEvidence(true)
                .fragmentSink(publisher)
                .build().start();
        this.heartbeats = new HeartbeatPublisher(producer, config.kafka().heartbeatsTopic(), config.agentId(),
                b.hostName, AgentRun::epochNanos, publisher::stats, this::healthCounters);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spanscope-agent-timer");
            t.setDaemon(true);
            return t;
        });
        AgentHttpServer server = null;
        try {
            if (config.httpPort() >= 0) {
                server = AgentHttpServer.start(config.httpAddress(), config.httpPort(),
                        List.of(this::writeHealthMetrics), () -> running, this::statusJson);
            }
            workers.start(capture, b.parserConfig, pipeline);
        } catch (CaptureStartException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            shutdown();
            throw e;
        }
        this.http = server;
        running = true;
        long every = config.heartbeatInterval().toMillis();
        timer.scheduleAtFixedRate(heartbeats::publish, 0, every, TimeUnit.MILLISECONDS);
    }

    /** @param capture the capture's filters and tuning; the brokers' ports are excluded by the caller */
    public static Builder builder(LiveCapture.Builder capture, AgentConfig config) {
        return new Builder(capture, config);
    }

    public PublisherStats publisherStats() {
        return publisher.stats();
    }

    public HeartbeatPublisher.HeartbeatStats heartbeatStats() {
        return heartbeats.stats();
    }

    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** Waits until the capture has handed everything read so far to the parsers. */
    public boolean awaitCaptureDrained(Duration timeout) throws InterruptedException {
        return capture.awaitDrained(timeout);
    }

    /** The agent's counters as one JSON object (also {@code /status}). */
    public String statusJson() {
        String failure = publisher.lastFailure();
        return "{\"agentId\":\"" + config.agentId().replace("\"", "'") + "\"," + workers.statusJsonMembers()
                + ",\"publish\":" + StatsJson.of(publisher.stats())
                + ",\"heartbeats\":" + StatsJson.of(heartbeats.stats())
                + (failure == null ? "" : ",\"lastPublishFailure\":\"" + failure.replace("\"", "'") + "\"") + "}";
    }


    private void writeHealthMetrics(PrometheusWriter w) {
        workers.writeMetrics(w);
        StatsMetrics.write(w, "spanscope_publish", publisher.stats());
        StatsMetrics.write(w, "spanscope_heartbeat", heartbeats.stats());
    }

    /** What heartbeats carry besides the publish queue: the capture, parser and linker counters. */
    private Map<String, Double> healthCounters() {
        PrometheusWriter w = new PrometheusWriter();
        workers.writeMetrics(w);
        return PrometheusSamples.parse(w.toString());
    }

    /**
     * Stops capture, ends every connection (pending exchanges are emitted, flagged), publishes what the
     * linker holds and what is queued within the shutdown timeout, sends a last heartbeat.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        capture.close();
        workers.endAll();
        shutdown();
        if (http != null) {
            http.close();
        }
    }

    private void shutdown() {
        timer.shutdownNow();
        pipeline.close();
        publisher.close(shutdownTimeout);
        heartbeats.publish();
        producer.close(Duration.ofSeconds(5));
    }

    private static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** This host's name, the default agent id. */
    public static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** Configures an {@link AgentRun}. */
    public static final class Builder {
        private final LiveCapture.Builder capture;
        private final AgentConfig config;
        private ParserConfig parserConfig = ParserConfig.defaults();
        private LinkerConfig linker = LinkerConfig.defaults();
        private String hostName = localHostName();
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private Function<Map<String, Object>, Producer<byte[], byte[]>> producerFactory = KafkaProducer::new;

        private Builder(LiveCapture.Builder capture, AgentConfig config) {
            this.capture = Objects.requireNonNull(capture);
            this.config = Objects.requireNonNull(config);
        }

        public Builder parserConfig(ParserConfig parserConfig) {
            this.parserConfig = parserConfig;
            return this;
        }

        public Builder linker(LinkerConfig linker) {
            this.linker = linker;
            return this;
        }

        public Builder hostName(String hostName) {
            this.hostName = hostName;
            return this;
        }

        /** How long closing waits for the queue to be published and acknowledged. */
        public Builder shutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
            return this;
        }

        public AgentRun start() throws CaptureStartException {
            return new AgentRun(this);
        }
    }
}

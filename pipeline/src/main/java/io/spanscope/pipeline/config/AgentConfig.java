package io.spanscope.pipeline.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What {@code spanscope agent} needs besides the capture options: its id, Kafka, the publish buffer,
 * heartbeats, producer tuning and the HTTP endpoints. {@link #producerProperties()} is the idempotent,
 * acks=all producer the agent runs. Immutable.
 */
public final class AgentConfig {

    public static final Set<String> COMPRESSIONS = Set.of("none", "gzip", "snappy", "lz4", "zstd");

    private final String agentId;
    private final KafkaConfig kafka;
    private final long bufferBytes;
    private final Duration heartbeatInterval;
    private final String compression;
    private final Duration linger;
    private final int batchSize;
    private final long producerMemory;
    private final Duration deliveryTimeout;
    private final String httpAddress;
    private final int httpPort;

    private AgentConfig(Builder b) {
        this.agentId = Objects.requireNonNull(b.agentId, "agentId");
        this.kafka = Objects.requireNonNull(b.kafka, "kafka");
        this.bufferBytes = b.bufferBytes;
        this.heartbeatInterval = b.heartbeatInterval;
        this.compression = b.compression;
        this.linger = b.linger;
        this.batchSize = b.batchSize;
        this.producerMemory = b.producerMemory;
        this.deliveryTimeout = b.deliveryTimeout;
        this.httpAddress = b.httpAddress;
        this.httpPort = b.httpPort;
        if (!COMPRESSIONS.contains(compression)) {
            throw new IllegalArgumentException("compression " + compression);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads and validates every setting the agent uses; the first problem is one {@link ConfigException}.
     *
     * @param hostName this host's name, the default agent id
     */
    public static AgentConfig from(Settings s, String hostName) {
        String agentId = s.string(Setting.AGENT_ID).orElse(hostName);
        String compression = s.required(Setting.KAFKA_COMPRESSION).toLowerCase(Locale.ROOT);
        if (!COMPRESSIONS.contains(compression)) {
            throw s.invalid(Setting.KAFKA_COMPRESSION, "must be one of none, gzip, snappy, lz4, zstd");
        }
        Duration linger = s.duration(Setting.KAFKA_LINGER, Duration.ZERO);
        Duration deliveryTimeout = s.duration(Setting.KAFKA_DELIVERY_TIMEOUT, Duration.ofSeconds(1));
        if (deliveryTimeout.compareTo(linger.plusSeconds(30)) < 0) {
            // Kafka refuses delivery.timeout.ms < linger.ms + request.timeout.ms (30 s)
            throw s.invalid(Setting.KAFKA_DELIVERY_TIMEOUT, "must be at least the linger time + 30s");
        }
        String httpAddress = s.required(Setting.HTTP_ADDRESS);
        return builder()
                .agentId(agentId)
                .kafka(KafkaConfig.from(s, "spanscope-agent-" + agentId))
                .bufferBytes(s.bytes(Setting.AGENT_BUFFER, 64 * 1024, 1L << 34))
                .heartbeatInterval(s.duration(Setting.AGENT_HEARTBEAT_INTERVAL, Duration.ofMillis(100)))
                .compression(compression)
                .linger(linger)
                .batchSize((int) s.bytes(Setting.KAFKA_BATCH_SIZE, 1024, 64L << 20))
                .producerMemory(s.bytes(Setting.KAFKA_PRODUCER_MEMORY, 1L << 20, 1L << 32))
                .deliveryTimeout(deliveryTimeout)
                .http(httpAddress, s.integer(Setting.HTTP_PORT, -1, 65_535))
                .build();
    }

    /** The agent's producer: idempotent (no duplicates on retry), acks=all, compressed, batched, byte arrays. */
    public Map<String, Object> producerProperties() {
        Map<String, Object> p = new java.util.LinkedHashMap<>(kafka.clientProperties());
        p.put("enable.idempotence", "true");
        p.put("acks", "all");
        p.put("max.in.flight.requests.per.connection", "5");
        p.put("retries", Integer.toString(Integer.MAX_VALUE));
        p.put("compression.type", compression);
        p.put("linger.ms", Long.toString(linger.toMillis()));
        p.put("batch.size", Integer.toString(batchSize));
        p.put("buffer.memory", Long.toString(producerMemory));
        p.put("delivery.timeout.ms", Long.toString(deliveryTimeout.toMillis()));
        // the publisher never lets the producer's memory fill, so send() only waits for metadata
        p.put("max.block.ms", "10000");
        p.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        p.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        return p;
    }

    public String agentId() {
        return agentId;
    }

    public KafkaConfig kafka() {
        return kafka;
    }

    public long bufferBytes() {
        return bufferBytes;
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    public String compression() {
        return compression;
    }

    public Duration linger() {
        return linger;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Bytes handed to the producer and not yet acknowledged, at most. */
    public long producerMemory() {
        return producerMemory;
    }

    public Duration deliveryTimeout() {
        return deliveryTimeout;
    }

    public String httpAddress() {
        return httpAddress;
    }

    /** -1: no HTTP endpoints; 0: any free port. */
    public int httpPort() {
        return httpPort;
    }

    public static final class Builder {
        private String agentId;
        private KafkaConfig kafka;
        private long bufferBytes = 64L << 20;
        private Duration heartbeatInterval = Duration.ofSeconds(10);
        private String compression = "lz4";
        private Duration linger = Duration.ofMillis(20);
        private int batchSize = 256 * 1024;
        private long producerMemory = 32L << 20;
        private Duration deliveryTimeout = Duration.ofMinutes(10);
        private String httpAddress = "127.0.0.1";
        private int httpPort = -1;

        private Builder() {
        }

        public Builder agentId(String agentId) {
            this.agentId = agentId;
            return this;
        }

        public Builder kafka(KafkaConfig kafka) {
            this.kafka = kafka;
            return this;
        }

        public Builder bufferBytes(long bufferBytes) {
            this.bufferBytes = bufferBytes;
            return this;
        }

        public Builder heartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
            return this;
        }

        public Builder compression(String compression) {
            this.compression = compression;
            return this;
        }

        public Builder linger(Duration linger) {
            this.linger = linger;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder producerMemory(long producerMemory) {
            this.producerMemory = producerMemory;
            return this;
        }

        public Builder deliveryTimeout(Duration deliveryTimeout) {
            this.deliveryTimeout = deliveryTimeout;
            return this;
        }

        public Builder http(String address, int port) {
            this.httpAddress = address;
            this.httpPort = port;
            return this;
        }

        public AgentConfig build() {
            return new AgentConfig(this);
        }
    }
}

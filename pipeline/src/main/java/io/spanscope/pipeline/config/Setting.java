package io.spanscope.pipeline.config;

import java.util.Locale;
import java.util.Optional;

/**
 * Every setting of the one configuration model: its key in a config file (YAML nesting or dotted
 * properties), its environment variable ({@code SPANSCOPE_} + the key upper-cased, dots and dashes as
 * underscores) and its default. Command-line flags name the same keys.
 */
public enum Setting {
    KAFKA_BOOTSTRAP_SERVERS("kafka.bootstrap-servers", null, "host:port[,host:port…] of the Kafka brokers"),
    KAFKA_CLIENT_ID("kafka.client-id", null, "Kafka client id (default spanscope-agent-<agent id>)"),
    KAFKA_TOPIC_FRAGMENTS("kafka.topics.fragments", "spanscope.fragments", "topic of the fragments"),
    KAFKA_TOPIC_HEARTBEATS("kafka.topics.heartbeats", "spanscope.agent-heartbeats", "topic of agent heartbeats"),
    KAFKA_TLS_ENABLED("kafka.tls.enabled", "false", "TLS to the brokers (implied by any other kafka.tls setting)"),
    KAFKA_TLS_TRUSTSTORE_PATH("kafka.tls.truststore.path", null, "JKS or PKCS12 file of trusted CAs"),
    KAFKA_TLS_TRUSTSTORE_PASSWORD("kafka.tls.truststore.password", null, "password of the truststore"),
    KAFKA_TLS_TRUSTSTORE_TYPE("kafka.tls.truststore.type", "PKCS12", "JKS or PKCS12"),
    KAFKA_TLS_KEYSTORE_PATH("kafka.tls.keystore.path", null, "JKS or PKCS12 file with the client key (mutual TLS)"),
    KAFKA_TLS_KEYSTORE_PASSWORD("kafka.tls.keystore.password", null, "password of the keystore"),
    KAFKA_TLS_KEYSTORE_TYPE("kafka.tls.keystore.type", "PKCS12", "JKS or PKCS12"),
    KAFKA_TLS_KEY_PASSWORD("kafka.tls.key-password", null, "password of the private key, if not the keystore's"),
    KAFKA_TLS_CA_FILE("kafka.tls.ca-file", null, "PEM file of trusted CAs (instead of a truststore)"),
    KAFKA_TLS_CERT_FILE("kafka.tls.cert-file", null, "PEM certificate chain of the client (mutual TLS)"),
    KAFKA_TLS_KEY_FILE("kafka.tls.key-file", null, "PEM PKCS#8 private key of the client (mutual TLS)"),
    KAFKA_TLS_ENDPOINT_IDENTIFICATION("kafka.tls.verify-hostname", "true", "check the broker's host name against its certificate"),
    KAFKA_SASL_MECHANISM("kafka.sasl.mechanism", null, "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"),
    KAFKA_SASL_USERNAME("kafka.sasl.username", null, "SASL user"),
    KAFKA_SASL_PASSWORD("kafka.sasl.password", null, "SASL password"),
    KAFKA_COMPRESSION("kafka.producer.compression", "lz4", "none, gzip, snappy, lz4 or zstd"),
    KAFKA_LINGER("kafka.producer.linger", "20ms", "how long the producer waits to fill a batch"),
    KAFKA_BATCH_SIZE("kafka.producer.batch-size", "256KiB", "producer batch size per partition"),
    KAFKA_PRODUCER_MEMORY("kafka.producer.buffer-memory", "32MiB", "bytes the producer holds unacknowledged (in flight)"),
    KAFKA_DELIVERY_TIMEOUT("kafka.producer.delivery-timeout", "10m", "how long the producer retries a record before it is counted failed"),
    AGENT_ID("agent.id", null, "agent id in heartbeats and fragments (default: host name)"),
    AGENT_BUFFER("agent.buffer", "64MiB", "bytes of encoded fragments held while Kafka is slow or down; beyond it the oldest are dropped"),
    AGENT_HEARTBEAT_INTERVAL("agent.heartbeat-interval", "10s", "how often a heartbeat is published"),
    BUILDER_APPLICATION_ID("builder.application-id", "spanscope-span-builder", "Kafka Streams application id: span builders with the same id share the partitions"),
    BUILDER_TOPIC_KNOWN_SPANS("kafka.topics.known-spans", "spanscope.known-spans", "span builder internal topic of announced spans (same partition count as fragments)"),
    BUILDER_TOPIC_RESOLVED("kafka.topics.resolved-fragments", "spanscope.resolved-fragments", "span builder internal topic of resolved fragments, read by its exporter"),
    BUILDER_PARTITIONS("builder.partitions", "8", "partitions of the span builder's topics when it has to create them (an existing fragments topic decides)"),
    BUILDER_PARENT_WAIT("builder.parent-wait", "5s", "how long a fragment waits for its parent before it becomes a trace root"),
    BUILDER_KNOWN_SPAN_RETENTION("builder.known-span-retention", "60s", "how long a resolved span can still parent a late fragment (also the duplicate window)"),
    BUILDER_MAX_KNOWN_SPANS("builder.max-known-spans", "1000000", "known spans held per partition task; beyond it the oldest is evicted and counted"),
    BUILDER_MAX_WAITING_FRAGMENTS("builder.max-waiting-fragments", "200000", "waiting fragments per partition task; beyond it a fragment becomes a root at once, counted"),
    BUILDER_TRACED_NETWORKS("builder.traced-networks", "", "CIDR blocks (comma-separated) holding every traced host: a caller outside them is external and its callee's span a root at once; empty: any caller may be traced, so its callee waits up to the parent wait"),
    BUILDER_COMMIT_INTERVAL("builder.commit-interval", "100ms", "how often each task commits its exactly-once transaction: an announcement is readable, and a resolved span exportable, only after it; longer costs less CPU per span and adds up to this much per trace level to the time until a trace is complete (at most a tenth of builder.parent-wait)"),
    BUILDER_STREAM_THREADS("builder.stream-threads", "1", "Kafka Streams threads of this instance"),
    BUILDER_STATE_DIR("builder.state-dir", null, "Kafka Streams state directory (default: a directory under java.io.tmpdir)"),
    BUILDER_EXPORT_QUEUE("builder.export-queue", "100000", "spans held for the OTLP exporter (Kafka holds the backlog beyond it)"),
    HTTP_ADDRESS("http.address", "127.0.0.1", "address of /metrics, /healthz, /readyz, /status"),
    HTTP_PORT("http.port", "9464", "port of the HTTP endpoints (0 picks one, -1 disables)");

    private final String key;
    private final String defaultValue;
    private final String description;

    Setting(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String key() {
        return key;
    }

    public String environmentVariable() {
        return "SPANSCOPE_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    public String description() {
        return description;
    }

    public static Optional<Setting> forKey(String key) {
        for (Setting s : values()) {
            if (s.key.equals(key)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}

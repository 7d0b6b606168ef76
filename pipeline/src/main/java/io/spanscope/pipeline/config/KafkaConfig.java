package io.spanscope.pipeline.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where and how to reach Kafka: brokers, client id, topics, TLS and SASL. {@link #clientProperties()}
 * turns it into the properties every Kafka client (producer, consumer, Streams) takes. Immutable.
 */
public final class KafkaConfig {

    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:.]+]|[^:\\s,\\[\\]]+):(\\d{1,5})");

    private final List<String> bootstrapServers;
    private final String clientId;
    private final String fragmentsTopic;
    private final String heartbeatsTopic;
    private final KafkaTls tls;
    private final KafkaSasl sasl;

    private KafkaConfig(Builder b) {
        this.bootstrapServers = List.copyOf(b.bootstrapServers);
        this.clientId = Objects.requireNonNull(b.clientId, "clientId");
        this.fragmentsTopic = b.fragmentsTopic;
        this.heartbeatsTopic = b.heartbeatsTopic;
        this.tls = b.tls;
        this.sasl = b.sasl;
        if (bootstrapServers.isEmpty()) {
            throw new IllegalArgumentException("no bootstrap servers");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reads and validates the kafka.* settings; the first problem is one {@link ConfigException}. */
    public static KafkaConfig from(Settings settings, String defaultClientId) {
        Builder b = builder()
                .bootstrapServers(bootstrapServers(settings))
                .clientId(settings.string(Setting.KAFKA_CLIENT_ID).orElse(defaultClientId))
                .fragmentsTopic(topic(settings, Setting.KAFKA_TOPIC_FRAGMENTS))
                .heartbeatsTopic(topic(settings, Setting.KAFKA_TOPIC_HEARTBEATS));
        b.tls(tls(settings));
        b.sasl(sasl(settings));
        return b.build();
    }

    private static List<String> bootstrapServers(Settings settings) {
        String value = settings.required(Setting.KAFKA_BOOTSTRAP_SERVERS);
        List<String> servers = new ArrayList<>();
        for (String part : value.split(",")) {
            String server = part.trim();
            var m = HOST_PORT.matcher(server);
            if (!m.matches()) {
                throw settings.invalid(Setting.KAFKA_BOOTSTRAP_SERVERS, "must be host:port[,host:port…]");
            }
            int port = Integer.parseInt(m.group(2));
            if (port < 1 || port > 65_535) {
                throw settings.invalid(Setting.KAFKA_BOOTSTRAP_SERVERS, "has port " + port + " out of 1–65535");
            }
            servers.add(server);
        }
        return servers;
    }

    private static String topic(Settings settings, Setting s) {
        String topic = settings.required(s);
        if (!TOPIC.matcher(topic).matches()) {
            throw settings.invalid(s, "is not a Kafka topic name (letters, digits, '.', '_', '-'; at most 249)");
        }
        return topic;
    }

    private static KafkaTls tls(Settings settings) {
        Setting[] tlsFiles = {Setting.KAFKA_TLS_TRUSTSTORE_PATH, Setting.KAFKA_TLS_KEYSTORE_PATH,
                Setting.KAFKA_TLS_CA_FILE, Setting.KAFKA_TLS_CERT_FILE, Setting.KAFKA_TLS_KEY_FILE};
        boolean anyFile = false;
        for (Setting s : tlsFiles) {
            anyFile |= settings.string(s).isPresent();
        }
        if (!settings.flag(Setting.KAFKA_TLS_ENABLED) && !anyFile) {
            return null;
        }
        Path truststore = settings.readableFile(Setting.KAFKA_TLS_TRUSTSTORE_PATH).orElse(null);
        Path caFile = settings.readableFile(Setting.KAFKA_TLS_CA_FILE).orElse(null);
        if (truststore != null && caFile != null) {
            throw settings.invalid(Setting.KAFKA_TLS_CA_FILE, "and kafka.tls.truststore.path both given; use one");
        }
        String truststorePassword = settings.string(Setting.KAFKA_TLS_TRUSTSTORE_PASSWORD).orElse(null);
        String truststoreType = storeType(settings, Setting.KAFKA_TLS_TRUSTSTORE_TYPE);
        Path keystore = settings.readableFile(Setting.KAFKA_TLS_KEYSTORE_PATH).orElse(null);
        String keystorePassword = settings.string(Setting.KAFKA_TLS_KEYSTORE_PASSWORD).orElse(null);
        String keystoreType = storeType(settings, Setting.KAFKA_TLS_KEYSTORE_TYPE);
        if (keystore != null && keystorePassword == null) {
            throw settings.invalid(Setting.KAFKA_TLS_KEYSTORE_PATH, "needs kafka.tls.keystore.password");
        }
        Path certFile = settings.readableFile(Setting.KAFKA_TLS_CERT_FILE).orElse(null);
        Path keyFile = settings.readableFile(Setting.KAFKA_TLS_KEY_FILE).orElse(null);
        if ((certFile == null) != (keyFile == null)) {
            Setting missing = certFile == null ? Setting.KAFKA_TLS_CERT_FILE : Setting.KAFKA_TLS_KEY_FILE;
            throw new ConfigException(missing.key() + ": required with "
                    + (certFile == null ? Setting.KAFKA_TLS_KEY_FILE : Setting.KAFKA_TLS_CERT_FILE).key()
                    + " (a PEM client certificate needs both)");
        }
        if (keystore != null && certFile != null) {
            throw settings.invalid(Setting.KAFKA_TLS_CERT_FILE, "and kafka.tls.keystore.path both given; use one");
        }
        return new KafkaTls(truststore, truststorePassword, truststoreType, keystore, keystorePassword, keystoreType,
                settings.string(Setting.KAFKA_TLS_KEY_PASSWORD).orElse(null), caFile, certFile, keyFile,
                settings.flag(Setting.KAFKA_TLS_ENDPOINT_IDENTIFICATION));
    }

    private static String storeType(Settings settings, Setting s) {
        String type = settings.required(s).toUpperCase(java.util.Locale.ROOT);
        if (!type.equals("JKS") && !type.equals("PKCS12")) {
            throw settings.invalid(s, "must be JKS or PKCS12 (for PEM files use kafka.tls.ca-file/cert-file/key-file)");
        }
        return type;
    }

    private static KafkaSasl sasl(Settings settings) {
        var mechanismName = settings.string(Setting.KAFKA_SASL_MECHANISM);
        if (mechanismName.isEmpty()) {
            for (Setting s : new Setting[] {Setting.KAFKA_SASL_USERNAME, Setting.KAFKA_SASL_PASSWORD}) {
                if (settings.string(s).isPresent()) {
                    throw new ConfigException(s.key() + " is set but kafka.sasl.mechanism is not"
                            + " (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512) (from " + settings.origin(s) + ")");
                }
            }
            return null;
        }
        KafkaSasl.Mechanism mechanism = KafkaSasl.Mechanism.forName(mechanismName.get());
        if (mechanism == null) {
            throw settings.invalid(Setting.KAFKA_SASL_MECHANISM, "must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512");
        }
        return new KafkaSasl(mechanism, settings.required(Setting.KAFKA_SASL_USERNAME),
                settings.required(Setting.KAFKA_SASL_PASSWORD));
    }

    /** Properties for any Kafka client: brokers, client id, security protocol, TLS and SASL. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("bootstrap.servers", String.join(",", bootstrapServers));
        p.put("client.id", clientId);
        p.put("security.protocol", securityProtocol());
        if (tls != null) {
            if (tls.truststore() != null) {
                p.put("ssl.truststore.location", tls.truststore().toString());
                p.put("ssl.truststore.type", tls.truststoreType());
                if (tls.truststorePassword() != null) {
                    p.put("ssl.truststore.password", tls.truststorePassword());
                }
            } else if (tls.caFile() != null) {
                p.put("ssl.truststore.type", "PEM");
                p.put("ssl.truststore.certificates", read(tls.caFile()));
            }
            if (tls.keystore() != null) {
                p.put("ssl.keystore.location", tls.keystore().toString());
                p.put("ssl.keystore.type", tls.keystoreType());
                p.put("ssl.keystore.password", tls.keystorePassword());
            } else if (tls.certFile() != null) {
                p.put("ssl.keystore.type", "PEM");
                p.put("ssl.keystore.certificate.chain", read(tls.certFile()));
                p.put("ssl.keystore.key", read(tls.keyFile()));
            }
            if (tls.keyPassword() != null) {
                p.put("ssl.key.password", tls.keyPassword());
            }
            p.put("ssl.endpoint.identification.algorithm", tls.verifyHostname() ? "https" : "");
        }
        if (sasl != null) {
            p.put("sasl.mechanism", sasl.mechanism().kafkaName());
            p.put("sasl.jaas.config", sasl.jaasConfig());
        }
        return p;
    }

    public String securityProtocol() {
        if (tls != null) {
            return sasl != null ? "SASL_SSL" : "SSL";
        }
        return sasl != null ? "SASL_PLAINTEXT" : "PLAINTEXT";
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public List<String> bootstrapServers() {
        return bootstrapServers;
    }

    public String clientId() {
        return clientId;
    }

    public String fragmentsTopic() {
        return fragmentsTopic;
    }

    public String heartbeatsTopic() {
        return heartbeatsTopic;
    }

    /** Null when TLS is off. */
    public KafkaTls tls() {
        return tls;
    }

    /** Null when SASL is off. */
    public KafkaSasl sasl() {
        return sasl;
    }

    @Override
    public String toString() {
        return "KafkaConfig[" + String.join(",", bootstrapServers) + ", " + securityProtocol() + ", topics "
                + fragmentsTopic + " " + heartbeatsTopic + "]";
    }

    public static final class Builder {
        private List<String> bootstrapServers = List.of();
        private String clientId = "spanscope";
        private String fragmentsTopic = "spanscope.fragments";
        private String heartbeatsTopic = "spanscope.agent-heartbeats";
        private KafkaTls tls;
        private KafkaSasl sasl;

        private Builder() {
        }

        public Builder bootstrapServers(List<String> bootstrapServers) {
            this.bootstrapServers = List.copyOf(bootstrapServers);
            return this;
        }

        public Builder bootstrapServers(String commaSeparated) {
            return bootstrapServers(List.of(commaSeparated.split(",")));
        }

        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        public Builder fragmentsTopic(String fragmentsTopic) {
            this.fragmentsTopic = Objects.requireNonNull(fragmentsTopic);
            return this;
        }

        public Builder heartbeatsTopic(String heartbeatsTopic) {
            this.heartbeatsTopic = Objects.requireNonNull(heartbeatsTopic);
            return this;
        }

        public Builder tls(KafkaTls tls) {
            this.tls = tls;
            return this;
        }

        public Builder sasl(KafkaSasl sasl) {
            this.sasl = sasl;
            return this;
        }

        public KafkaConfig build() {
            return new KafkaConfig(this);
        }
    }
}

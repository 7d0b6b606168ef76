package io.spanscope.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigTest {

    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();
    private final Map<Setting, Settings.Value> flags = new EnumMap<>(Setting.class);

    @Test
    void aFlagBeatsTheEnvironmentWhichBeatsTheFileWhichBeatsTheDefault() throws IOException {
        Path file = yaml("""
                kafka:
                  bootstrap-servers: [file-a:9092, file-b:9092]
                  client-id: from-file
                  topics:
                    fragments: file.fragments
                agent:
                  buffer: 8MiB
                  heartbeat-interval: 3s
                """);
        env.put("SPANSCOPE_KAFKA_CLIENT_ID", "from-env");
        env.put("SPANSCOPE_AGENT_BUFFER", "16MiB");
        flag(Setting.AGENT_BUFFER, "32MiB");

        AgentConfig config = AgentConfig.from(Settings.resolve(file, env, flags), "host-1");

        assertThat(config.bufferBytes()).isEqualTo(32L << 20);               // flag
        assertThat(config.kafka().clientId()).isEqualTo("from-env");         // env over file
        assertThat(config.kafka().bootstrapServers()).containsExactly("file-a:9092", "file-b:9092"); // file
        assertThat(config.kafka().fragmentsTopic()).isEqualTo("file.fragments");
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.kafka().heartbeatsTopic()).isEqualTo("spanscope.agent-heartbeats"); // default
        assertThat(config.compression()).isEqualTo("lz4");
        assertThat(config.agentId()).isEqualTo("host-1");
    }

    @Test
    void aPropertiesFileWorksLikeYaml() throws IOException {
        Path file = dir.resolve("agent.properties");
        Files.writeString(file, "kafka.bootstrap-servers=127.0.0.1:9092\nagent.id=node-7\n");

        AgentConfig config = AgentConfig.from(Settings.resolve(file, env, flags), "host-1");

        assertThat(config.agentId()).isEqualTo("node-7");
        assertThat(config.kafka().clientId()).isEqualTo("spanscope-agent-node-7");
    }

    @Test
    void theProducerIsIdempotentWithAcksAllAndPlaintextByDefault() {
        flag(Setting.KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:9092,[::1]:9093");
        flag(Setting.KAFKA_COMPRESSION, "ZSTD");

        Map<String, Object> p = AgentConfig.from(Settings.resolve(null, env, flags), "h").producerProperties();

        assertThat(p).containsEntry("bootstrap.servers", "127.0.0.1:9092,[::1]:9093")
                .containsEntry("enable.idempotence", "true").containsEntry("acks", "all")
                .containsEntry("compression.type", "zstd").containsEntry("security.protocol", "PLAINTEXT")
                .containsEntry("linger.ms", "20").containsEntry("batch.size", Integer.toString(256 * 1024))
                .doesNotContainKeys("sasl.mechanism", "ssl.truststore.location");
    }

    @Test
    void saslScramOverTlsWithATruststore() throws IOException {
        Path truststore = Files.writeString(dir.resolve("trust.p12"), "x");
        flag(Setting.KAFKA_BOOTSTRAP_SERVERS, "broker:9094");
        env.put("SPANSCOPE_KAFKA_TLS_TRUSTSTORE_PATH", truststore.toString());
        env.put("SPANSCOPE_KAFKA_TLS_TRUSTSTORE_PASSWORD", "changeit");
        env.put("SPANSCOPE_KAFKA_SASL_MECHANISM", "scram-sha-512");
        env.put("SPANSCOPE_KAFKA_SASL_USERNAME", "agent");
        env.put("SPANSCOPE_KAFKA_SASL_PASSWORD", "p\"w\\d");

        Map<String, Object> p = AgentConfig.from(Settings.resolve(null, env, flags), "h").kafka().clientProperties();

        assertThat(p).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("ssl.truststore.location", truststore.toString())
                .containsEntry("ssl.truststore.type", "PKCS12").containsEntry("ssl.truststore.password", "changeit")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"agent\" password=\"p\\\"w\\\\d\";")
                .containsEntry("ssl.endpoint.identification.algorithm", "https");
    }

    @Test
    void pemFilesBecomeInlinePemStoresAndSaslPlainWithoutTls() throws IOException {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n");
        Path cert = Files.writeString(dir.resolve("c.pem"), "-----BEGIN CERTIFICATE-----\nC\n-----END CERTIFICATE-----\n");
        Path key = Files.writeString(dir.resolve("k.pem"), "-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----\n");
        flag(Setting.KAFKA_BOOTSTRAP_SERVERS, "broker:9094");
        flag(Setting.KAFKA_TLS_CA_FILE, ca.toString());
        flag(Setting.KAFKA_TLS_CERT_FILE, cert.toString());
        flag(Setting.KAFKA_TLS_KEY_FILE, key.toString());
        flag(Setting.KAFKA_TLS_ENDPOINT_IDENTIFICATION, "false");

        Map<String, Object> tls = AgentConfig.from(Settings.resolve(null, env, flags), "h").kafka().clientProperties();

        assertThat(tls).containsEntry("security.protocol", "SSL").containsEntry("ssl.truststore.type", "PEM")
                .containsEntry("ssl.truststore.certificates", Files.readString(ca))
                .containsEntry("ssl.keystore.type", "PEM")
                .containsEntry("ssl.keystore.certificate.chain", Files.readString(cert))
                .containsEntry("ssl.keystore.key", Files.readString(key))
                .containsEntry("ssl.endpoint.identification.algorithm", "");

        Map<String, Object> plain = AgentConfig.from(Settings.of(Map.of(Setting.KAFKA_BOOTSTRAP_SERVERS, "b:1",
                Setting.KAFKA_SASL_MECHANISM, "PLAIN", Setting.KAFKA_SASL_USERNAME, "u",
                Setting.KAFKA_SASL_PASSWORD, "p")), "h").kafka().clientProperties();
        assertThat(plain).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "kafka.bootstrap-servers|broker|kafka.bootstrap-servers 'broker' must be host:port[,host:port…] (from flag)",
            "kafka.bootstrap-servers|b:99999|kafka.bootstrap-servers 'b:99999' has port 99999 out of 1–65535 (from flag)",
            "kafka.topics.fragments|a topic|kafka.topics.fragments 'a topic' is not a Kafka topic name",
            "kafka.topics.heartbeats|x/y|kafka.topics.heartbeats 'x/y' is not a Kafka topic name",
            "kafka.producer.compression|brotli|kafka.producer.compression 'brotli' must be one of none, gzip, snappy, lz4, zstd",
            "kafka.producer.linger|soon|kafka.producer.linger 'soon' is not a duration",
            "kafka.producer.delivery-timeout|10s|kafka.producer.delivery-timeout '10s' must be at least the linger time + 30s",
            "kafka.producer.batch-size|12|kafka.producer.batch-size '12' must be between 1024",
            "kafka.producer.buffer-memory|lots|kafka.producer.buffer-memory 'lots' is not a size",
            "agent.buffer|1KiB|agent.buffer '1KiB' must be between 65536",
            "agent.heartbeat-interval|10ms|agent.heartbeat-interval '10ms' must be at least 100ms",
            "http.port|70000|http.port '70000' must be between -1 and 65535",
            "http.port|eighty|http.port 'eighty' is not a number",
            "kafka.tls.enabled|maybe|kafka.tls.enabled 'maybe' is not true or false",
            "kafka.tls.truststore.path|/nonexistent/trust.p12|kafka.tls.truststore.path '/nonexistent/trust.p12' is not a readable file",
            "kafka.tls.truststore.type|PEM|kafka.tls.truststore.type 'PEM' must be JKS or PKCS12",
            "kafka.sasl.mechanism|GSSAPI|kafka.sasl.mechanism 'GSSAPI' must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
            "kafka.sasl.username|agent|kafka.sasl.username is set but kafka.sasl.mechanism is not",
    })
    void everyBadValueIsOneLineNamingTheSettingAndItsSource(String key, String value, String message) {
        if (!key.equals("kafka.bootstrap-servers")) {
            flag(Setting.KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:9092");
        }
        if (key.startsWith("kafka.tls.truststore.type")) {
            flag(Setting.KAFKA_TLS_ENABLED, "true");
        }
        flag(Setting.forKey(key).orElseThrow(), value);

        assertThatThrownBy(() -> AgentConfig.from(Settings.resolve(null, env, flags), "h"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void missingAndIncompleteSettingsSayWhatIsNeeded() throws IOException {
        assertThatThrownBy(() -> AgentConfig.from(Settings.resolve(null, env, flags), "h"))
                .hasMessage("kafka.bootstrap-servers: required (set it in the config file,"
                        + " SPANSCOPE_KAFKA_BOOTSTRAP_SERVERS or the flag)");

        flag(Setting.KAFKA_BOOTSTRAP_SERVERS, "b:1");
        flag(Setting.KAFKA_SASL_MECHANISM, "PLAIN");
        flag(Setting.KAFKA_SASL_USERNAME, "u");
        assertThatThrownBy(() -> AgentConfig.from(Settings.resolve(null, env, flags), "h"))
                .hasMessageStartingWith("kafka.sasl.password: required");

        flags.clear();
        flag(Setting.KAFKA_BOOTSTRAP_SERVERS, "b:1");
        flag(Setting.KAFKA_TLS_CERT_FILE, Files.writeString(dir.resolve("c.pem"), "c").toString());
        assertThatThrownBy(() -> AgentConfig.from(Settings.resolve(null, env, flags), "h"))
                .hasMessageStartingWith("kafka.tls.key-file: required with kafka.tls.cert-file");

        flags.clear();
        flag(Setting.KAFKA_BOOTSTRAP_SERVERS, "b:1");
        flag(Setting.KAFKA_TLS_KEYSTORE_PATH, Files.writeString(dir.resolve("k.p12"), "k").toString());
        assertThatThrownBy(() -> AgentConfig.from(Settings.resolve(null, env, flags), "h"))
                .hasMessageStartingWith("kafka.tls.keystore.path '" + dir.resolve("k.p12") + "' needs kafka.tls.keystore.password");

        flags.clear();
        flag(Setting.KAFKA_BOOTSTRAP_SERVERS, "b:1");
        flag(Setting.KAFKA_TLS_CA_FILE, Files.writeString(dir.resolve("ca.pem"), "c").toString());
        flag(Setting.KAFKA_TLS_TRUSTSTORE_PATH, Files.writeString(dir.resolve("t.p12"), "t").toString());
        assertThatThrownBy(() -> AgentConfig.from(Settings.resolve(null, env, flags), "h"))
                .hasMessageContaining("and kafka.tls.truststore.path both given; use one");
    }

    @Test
    void passwordsAreNeverEchoedAndTheEnvironmentIsNamedAsTheSource() {
        env.put("SPANSCOPE_KAFKA_BOOTSTRAP_SERVERS", "nonsense");
        assertThatThrownBy(() -> AgentConfig.from(Settings.resolve(null, env, flags), "h"))
                .hasMessageEndingWith("(from environment SPANSCOPE_KAFKA_BOOTSTRAP_SERVERS)");

        Settings s = Settings.of(Map.of(Setting.KAFKA_TLS_TRUSTSTORE_PASSWORD, "s3cret"));
        assertThat(s.invalid(Setting.KAFKA_TLS_TRUSTSTORE_PASSWORD, "is wrong").getMessage())
                .doesNotContain("s3cret").contains("(hidden)");
    }

    @Test
    void badConfigFilesAreOneClearError() throws IOException {
        Path unknown = yaml("kafka:\n  bootstrap-server: b:1\n");
        assertThatThrownBy(() -> Settings.resolve(unknown, env, flags))
                .hasMessage("config file " + unknown + ": unknown setting kafka.bootstrap-server");

        Path broken = yaml("kafka: [\n");
        assertThatThrownBy(() -> Settings.resolve(broken, env, flags))
                .hasMessageStartingWith("config file " + broken + " is not valid: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));

        Path list = yaml("- a\n- b\n");
        assertThatThrownBy(() -> Settings.resolve(list, env, flags)).hasMessageContaining("must be a mapping");

        Path json = Files.writeString(dir.resolve("agent.json"), "{}");
        assertThatThrownBy(() -> Settings.resolve(json, env, flags)).hasMessageContaining("name it .yaml, .yml or .properties");

        assertThatThrownBy(() -> Settings.resolve(dir.resolve("missing.yaml"), env, flags))
                .hasMessageContaining("is not readable");
    }

    @Test
    void everySettingHasItsEnvironmentVariable() {
        assertThat(Setting.KAFKA_TLS_KEY_PASSWORD.environmentVariable()).isEqualTo("SPANSCOPE_KAFKA_TLS_KEY_PASSWORD");
        assertThat(Setting.KAFKA_TOPIC_FRAGMENTS.environmentVariable()).isEqualTo("SPANSCOPE_KAFKA_TOPICS_FRAGMENTS");
        for (Setting s : Setting.values()) {
            assertThat(Setting.forKey(s.key())).contains(s);
        }
    }

    private void flag(Setting s, String value) {
        flags.put(s, new Settings.Value(value, "flag"));
    }

    private Path yaml(String text) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "agent", ".yaml"), text);
    }
}

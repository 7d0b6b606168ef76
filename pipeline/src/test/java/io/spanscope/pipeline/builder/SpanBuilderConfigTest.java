package io.spanscope.pipeline.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanscope.pipeline.config.ConfigException;
import io.spanscope.pipeline.config.Setting;
import io.spanscope.pipeline.config.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpanBuilderConfigTest {

    @Test
    void defaultsAndGivenSettingsReachTheTopologyAndStreams() {
        SpanBuilderConfig c = SpanBuilderConfig.from(Settings.of(Map.of(
                Setting.KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:9092",
                Setting.BUILDER_PARENT_WAIT, "3s",
                Setting.BUILDER_STREAM_THREADS, "2",
                Setting.KAFKA_TOPIC_FRAGMENTS, "frags")));

        assertThat(c.topology().parentWait()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.topology().fragmentsTopic()).isEqualTo("frags");
        assertThat(c.topology().knownSpansTopic()).isEqualTo("spanscope.known-spans");
        assertThat(c.applicationId()).isEqualTo("spanscope-span-builder");
        assertThat(c.streamsProperties()).containsEntry("producer.batch.size", 256 * 1024)
                .containsEntry("processing.guarantee", "exactly_once_v2")
                .containsEntry("application.id", "spanscope-span-builder").containsEntry("num.stream.threads", 2).containsEntry("max.task.idle.ms", -1L)
                .containsEntry("commit.interval.ms", 100L)
                .containsEntry("bootstrap.servers", "127.0.0.1:9092").doesNotContainKey("client.id");
    }

    @Test
    void aRetentionShorterThanTheWaitIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> SpanBuilderConfig.from(Settings.of(Map.of(
                Setting.KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:9092",
                Setting.BUILDER_PARENT_WAIT, "10s",
                Setting.BUILDER_KNOWN_SPAN_RETENTION, "5s"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("builder.known-span-retention");
    }

    @Test
    void theCommitIntervalReachesStreamsAndMayNotExceedATenthOfTheWait() {
        SpanBuilderConfig c = SpanBuilderConfig.from(Settings.of(Map.of(
                Setting.KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:9092",
                Setting.BUILDER_COMMIT_INTERVAL, "500ms")));
        assertThat(c.streamsProperties()).containsEntry("commit.interval.ms", 500L);
        assertThatThrownBy(() -> SpanBuilderConfig.from(Settings.of(Map.of(
                Setting.KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:9092",
                Setting.BUILDER_PARENT_WAIT, "2s",
                Setting.BUILDER_COMMIT_INTERVAL, "300ms"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("builder.commit-interval").hasMessageContaining("200ms");
    }

    @Test
    void tracedNetworksReachTheTopologyAndABadBlockIsRefusedNamingIt() {
        SpanBuilderConfig config = SpanBuilderConfig.from(Settings.of(Map.of(
                Setting.KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:9092",
                Setting.BUILDER_TRACED_NETWORKS, "10.0.0.0/8,fd00::/8")));
        assertThat(config.topology().tracedNetworks()).isEqualTo(TracedNetworks.parse("10.0.0.0/8, fd00::/8"));
        assertThat(SpanBuilderConfig.from(Settings.of(Map.of(Setting.KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:9092")))
                .topology().tracedNetworks().isAny()).isTrue();
        assertThatThrownBy(() -> SpanBuilderConfig.from(Settings.of(Map.of(
                Setting.KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:9092",
                Setting.BUILDER_TRACED_NETWORKS, "10.0.0.0/40"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("builder.traced-networks").hasMessageContaining("10.0.0.0/40");
    }

    @Test
    void kafkaIsRequired() {
        assertThatThrownBy(() -> SpanBuilderConfig.from(Settings.of(Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.bootstrap-servers");
    }
}

package io.spanscope.pipeline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.pipeline.wire.proto.Heartbeat;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class HeartbeatPublisherTest {

    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(false, new ByteArraySerializer(), new ByteArraySerializer());
    private final AtomicLong clock = new AtomicLong(1_000);

    @Test
    void aHeartbeatCarriesThePublishCountersAndEveryOtherCounterKeyedByAgentId() throws Exception {
        PublisherStats stats = new PublisherStats(100, 10_000, 7, 700, 80, 8_000, 3, 300, 1, 6, 600, 4, 400, 1 << 20);
        Map<String, Double> counters = new LinkedHashMap<>();
        counters.put("spanscope_capture_ring_lost", 5.0);
        counters.put("spanscope_parser_drops{key=\"gap\"}", 2.0);
        HeartbeatPublisher heartbeats = new HeartbeatPublisher(producer, "hb", "node-a", "host-a", clock::get,
                () -> stats, () -> counters);

        clock.set(5_000);
        heartbeats.publish();
        heartbeats.publish();
        producer.completeNext();
        producer.errorNext(new NetworkException("broker gone"));

        assertThat(producer.history()).hasSize(2);
        assertThat(new String(producer.history().get(0).key(), StandardCharsets.UTF_8)).isEqualTo("node-a");
        Heartbeat first = Heartbeat.parseFrom(producer.history().get(0).value());
        Heartbeat second = Heartbeat.parseFrom(producer.history().get(1).value());
        assertThat(first.getAgentId()).isEqualTo("node-a");
        assertThat(first.getHostName()).isEqualTo("host-a");
        assertThat(first.getStartedEpochNanos()).isEqualTo(1_000);
        assertThat(first.getSentEpochNanos()).isEqualTo(5_000);
        assertThat(first.getSequence()).isEqualTo(1);
        assertThat(second.getSequence()).isEqualTo(2);
        var q = first.getPublishQueue();
        assertThat(new long[] {q.getRecordsIn(), q.getDroppedRecords(), q.getDroppedBytes(), q.getSentRecords(),
                q.getFailedRecords(), q.getEncodeFailures(), q.getQueuedRecords(), q.getInFlightRecords(),
                q.getCapacityBytes()}).containsExactly(100, 7, 700, 80, 3, 1, 6, 4, 1 << 20);
        assertThat(first.getCountersList()).extracting(c -> c.getName() + "=" + c.getValue())
                .containsExactly("spanscope_capture_ring_lost=5.0", "spanscope_parser_drops{key=\"gap\"}=2.0");
        assertThat(heartbeats.stats()).isEqualTo(new HeartbeatPublisher.HeartbeatStats(2, 1, 1));
    }

    @Test
    void prometheusTextReadsBackIntoNamedSamples() {
        Map<String, Double> samples = PrometheusSamples.parse("""
                # HELP spanscope_capture_events events
                # TYPE spanscope_capture_events untyped
                spanscope_capture_events 12345
                spanscope_parser_drops{key="gap"} 2.5
                """);

        assertThat(samples).containsExactly(Map.entry("spanscope_capture_events", 12345.0),
                Map.entry("spanscope_parser_drops{key=\"gap\"}", 2.5));
    }
}

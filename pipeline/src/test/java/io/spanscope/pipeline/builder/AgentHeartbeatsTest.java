package io.spanscope.pipeline.builder;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.pipeline.wire.proto.Counter;
import io.spanscope.pipeline.wire.proto.Heartbeat;
import io.spanscope.pipeline.wire.proto.PublishQueue;
import io.spanscope.spans.metrics.PrometheusWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentHeartbeatsTest {

    private static final long NOW = 1_700_000_010_000_000_000L;

    private static byte[] heartbeat(String agent, long sequence, long dropped) {
        return Heartbeat.newBuilder().setAgentId(agent).setHostName("host-" + agent).setSequence(sequence)
                .setSentEpochNanos(NOW - 2_000_000_000L)
                .setPublishQueue(PublishQueue.newBuilder().setDroppedRecords(dropped).setSentRecords(100 * sequence))
                .addCounters(Counter.newBuilder().setName("capture_ring_lost_events").setValue(sequence))
                .build().toByteArray();
    }

    @Test
    void theLatestHeartbeatOfEachAgentBecomesLabelledSamplesAndGapsAreCounted() {
        AgentHeartbeats hb = new AgentHeartbeats(Map.of("bootstrap.servers", "127.0.0.1:1"), "hb", 10, () -> NOW);
        hb.accept(heartbeat("a", 1, 0));
        hb.accept(heartbeat("a", 4, 7)); // 2 and 3 never came
        hb.accept(heartbeat("b", 1, 0));
        hb.accept(new byte[] {(byte) 0xff, 1});

        PrometheusWriter w = new PrometheusWriter();
        hb.writeTo(w);
        String text = w.toString();
        assertThat(text).contains("spanscope_agent_publish_dropped_records{agent=\"a\",host=\"host-a\"} 7")
                .contains("spanscope_agent_publish_sent_records{agent=\"a\",host=\"host-a\"} 400")
                .contains("spanscope_agent_heartbeats_missed_total{agent=\"a\",host=\"host-a\"} 2")
                .contains("spanscope_agent_heartbeats_missed_total{agent=\"b\",host=\"host-b\"} 0")
                .contains("spanscope_agent_capture_ring_lost_events{agent=\"a\",host=\"host-a\"} 4")
                .contains("spanscope_agent_heartbeat_age_seconds{agent=\"b\",host=\"host-b\"} 2")
                .contains("spanscope_builder_heartbeats_unreadable_total 1");
        hb.stop();
    }
}

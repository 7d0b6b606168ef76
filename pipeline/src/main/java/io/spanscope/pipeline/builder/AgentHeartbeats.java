package io.spanscope.pipeline.builder;

import com.google.protobuf.InvalidProtocolBufferException;
import io.spanscope.pipeline.wire.proto.Counter;
import io.spanscope.pipeline.wire.proto.Heartbeat;
import io.spanscope.pipeline.wire.proto.PublishQueue;
import io.spanscope.spans.metrics.MetricsSource;
import io.spanscope.spans.metrics.PrometheusWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The latest heartbeat of every agent, as metrics: each agent's publish-queue and loss counters labelled
 * with its id and host, the age of its last heartbeat, and heartbeats missed (gaps in the sequence).
 * Every span-builder instance reads all heartbeat partitions (no group), from the end. At most
 * {@code maxAgents} agents are tracked; heartbeats of more are counted, not kept. Runs on its own thread.
 */
public final class AgentHeartbeats implements Runnable, MetricsSource {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final int maxAgents;
    private final LongSupplier epochNanos;
    private final Map<String, Latest> latest = new TreeMap<>();
    private final AtomicLong unreadable = new AtomicLong();
    private final AtomicLong untracked = new AtomicLong();
    private volatile boolean running = true;

    public AgentHeartbeats(Map<String, Object> clientProperties, String topic, int maxAgents, LongSupplier epochNanos) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.computeIfPresent(ConsumerConfig.CLIENT_ID_CONFIG, (k, v) -> v + "-heartbeats");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.maxAgents = maxAgents;
        this.epochNanos = epochNanos;
    }

    @Override
    public void run() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            while (running && partitions.isEmpty()) {
                for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
                    partitions.add(new TopicPartition(topic, p.partition()));
                }
            }
            consumer.assign(partitions);
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    accept(r.value());
                }
            }
        } catch (WakeupException e) {
            // stop() during poll
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    void accept(byte[] value) {
        Heartbeat h;
        try {
            h = Heartbeat.parseFrom(value == null ? new byte[0] : value);
        } catch (InvalidProtocolBufferException e) {
            unreadable.incrementAndGet();
            return;
        }
        if (h.getAgentId().isEmpty()) {
            unreadable.incrementAndGet();
            return;
        }
        synchronized (latest) {
            Latest previous = latest.get(h.getAgentId());
            if (previous == null && latest.size() >= maxAgents) {
                untracked.incrementAndGet();
                return;
            }
            long missed = previous == null ? 0 : previous.missed;
            if (previous != null && h.getSequence() > previous.heartbeat.getSequence() + 1) {
                missed += h.getSequence() - previous.heartbeat.getSequence() - 1;
            }
            latest.put(h.getAgentId(), new Latest(h, missed));
        }
    }

    @Override
    public void writeTo(PrometheusWriter w) {
        List<Latest> agents;
        synchronized (latest) {
            agents = new ArrayList<>(latest.values());
        }
        long now = epochNanos.getAsLong();
        w.family("spanscope_agent_heartbeat_age_seconds", "gauge", "time since the agent's last heartbeat was made");
        agents.forEach(a -> w.sample("spanscope_agent_heartbeat_age_seconds",
                (now - a.heartbeat.getSentEpochNanos()) / 1e9, labels(a)));
        w.family("spanscope_agent_heartbeats_missed_total", "counter", "heartbeats never received (sequence gaps)");
        agents.forEach(a -> w.sample("spanscope_agent_heartbeats_missed_total", a.missed, labels(a)));
        writeQueue(w, agents);
        Map<String, List<Latest>> byCounter = new TreeMap<>();
        for (Latest a : agents) {
            for (Counter c : a.heartbeat.getCountersList()) {
                byCounter.computeIfAbsent(c.getName(), k -> new ArrayList<>()).add(a);
            }
        }
        byCounter.forEach((name, list) -> {
            String family = "spanscope_agent_" + name.replaceAll("[^a-zA-Z0-9_]", "_");
            w.family(family, "gauge", "agent counter " + name + " (as of its last heartbeat)");
            for (Latest a : list) {
                for (Counter c : a.heartbeat.getCountersList()) {
                    if (c.getName().equals(name)) {
                        w.sample(family, c.getValue(), labels(a));
                    }
                }
            }
        });
        w.family("spanscope_builder_heartbeats_unreadable_total", "counter", "heartbeat records that could not be read");
        w.sample("spanscope_builder_heartbeats_unreadable_total", unreadable.get());
        w.family("spanscope_builder_heartbeats_untracked_total", "counter", "heartbeats of agents beyond the tracked bound");
        w.sample("spanscope_builder_heartbeats_untracked_total", untracked.get());
    }

    private static void writeQueue(PrometheusWriter w, List<Latest> agents) {
        record Field(String name, java.util.function.ToLongFunction<PublishQueue> value) {
        }
        List<Field> fields = List.of(new Field("records_in", PublishQueue::getRecordsIn),
                new Field("dropped_records", PublishQueue::getDroppedRecords),
                new Field("dropped_bytes", PublishQueue::getDroppedBytes),
                new Field("sent_records", PublishQueue::getSentRecords),
                new Field("failed_records", PublishQueue::getFailedRecords),
                new Field("encode_failures", PublishQueue::getEncodeFailures),
                new Field("queued_records", PublishQueue::getQueuedRecords),
                new Field("queued_bytes", PublishQueue::getQueuedBytes),
                new Field("in_flight_records", PublishQueue::getInFlightRecords),
                new Field("capacity_bytes", PublishQueue::getCapacityBytes));
        for (Field f : fields) {
            String family = "spanscope_agent_publish_" + f.name;
            w.family(family, "gauge", "agent publish queue: " + f.name.replace('_', ' ') + " (as of its last heartbeat)");
            agents.forEach(a -> w.sample(family, f.value.applyAsLong(a.heartbeat.getPublishQueue()), labels(a)));
        }
    }

    private static String[] labels(Latest a) {
        return new String[] {"agent", a.heartbeat.getAgentId(), "host", a.heartbeat.getHostName()};
    }

    public void stop() {
        running = false;
        consumer.wakeup();
    }

    private record Latest(Heartbeat heartbeat, long missed) {
    }
}

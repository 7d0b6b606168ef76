package io.spanscope.pipeline.agent;

import io.spanscope.pipeline.wire.proto.Counter;
import io.spanscope.pipeline.wire.proto.Heartbeat;
import io.spanscope.pipeline.wire.proto.PublishQueue;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Makes and sends the agent's heartbeat (topic {@code spanscope.agent-heartbeats}, keyed by agent id):
 * the publish path's counters and every other counter the agent exposes. Called from a timer thread.
 */
public final class HeartbeatPublisher {

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String agentId;
    private final byte[] key;
    private final String hostName;
    private final long startedEpochNanos;
    private final LongSupplier epochNanos;
    private final Supplier<PublisherStats> publisher;
    private final Supplier<Map<String, Double>> counters;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /** @param counters every other counter by name (Prometheus sample names, labels included) */
    public HeartbeatPublisher(Producer<byte[], byte[]> producer, String topic, String agentId, String hostName,
                              LongSupplier epochNanos, Supplier<PublisherStats> publisher,
                              Supplier<Map<String, Double>> counters) {
        this.producer = producer;
        this.topic = topic;
        this.agentId = agentId;
        this.key = agentId.getBytes(StandardCharsets.UTF_8);
        this.hostName = hostName;
        this.epochNanos = epochNanos;
        this.startedEpochNanos = epochNanos.getAsLong();
        this.publisher = publisher;
        this.counters = counters;
    }

    public Heartbeat heartbeat() {
        PublisherStats p = publisher.get();
        Heartbeat.Builder b = Heartbeat.newBuilder()
                .setAgentId(agentId).setHostName(hostName)
                .setStartedEpochNanos(startedEpochNanos).setSentEpochNanos(epochNanos.getAsLong())
                .setSequence(sequence.incrementAndGet())
                .setPublishQueue(PublishQueue.newBuilder()
                        .setRecordsIn(p.recordsIn()).setBytesIn(p.bytesIn())
                        .setDroppedRecords(p.droppedRecords()).setDroppedBytes(p.droppedBytes())
                        .setSentRecords(p.sentRecords()).setSentBytes(p.sentBytes())
                        .setFailedRecords(p.failedRecords()).setFailedBytes(p.failedBytes())
                        .setEncodeFailures(p.encodeFailures())
                        .setQueuedRecords(p.queuedRecords()).setQueuedBytes(p.queuedBytes())
                        .setInFlightRecords(p.inFlightRecords()).setInFlightBytes(p.inFlightBytes())
                        .setCapacityBytes(p.capacityBytes()));
        counters.get().forEach((name, value) -> b.addCounters(Counter.newBuilder().setName(name).setValue(value)));
        return b.build();
    }

    /** Sends one heartbeat; a failure is counted (heartbeats are not retried beyond the producer's retries). */
    public void publish() {
        try {
            producer.send(new ProducerRecord<>(topic, key, heartbeat().toByteArray()), (metadata, e) -> {
                if (e == null) {
                    sent.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
            });
        } catch (RuntimeException e) {
            failed.incrementAndGet();
        }
    }

    public HeartbeatStats stats() {
        return new HeartbeatStats(sequence.get(), sent.get(), failed.get());
    }

    /** @param made heartbeats made, @param sent acknowledged, @param failed given up */
    public record HeartbeatStats(long made, long sent, long failed) {
    }
}

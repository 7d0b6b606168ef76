package io.spanscope.pipeline.builder;

import io.spanscope.spans.CapturedSpanData;
import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.export.SpanExportQueue;
import io.spanscope.spans.resolve.KnownSpan;
import io.spanscope.spans.resolve.ResolvedSpanListener;
import io.spanscope.spans.resolve.ResolvedSpans;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the resolved-fragments topic (committed transactions only) and exports its spans: every record
 * polled (a batch of resolved fragments) is turned into spans (span-builder {@link ResolvedSpans}, as in {@code run}) and offered to the
 * {@link SpanExportQueue} and the metrics; the consumer's offsets are committed only once the backend has
 * taken every span before them. So nothing is lost on a crash (what was not committed is read again), a
 * clean rebalance or shutdown exports nothing twice (the commit follows each poll's export, and revocation
 * happens inside poll), and while the backend is down Kafka, not memory, holds the backlog: polling stops
 * (partitions paused) until the queue drains. The queue is never offered more than one poll's spans beyond
 * what it exported, so with {@code max.poll.records × largest fragment ≤ capacity} it never drops.
 * Runs on its own thread.
 */
public final class ResolvedFragmentExporter implements Runnable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final SpanExportQueue queue;
    private final ResolvedFragmentReader reader;
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong spans = new AtomicLong();
    private final AtomicLong unreadable = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong commitFailures = new AtomicLong();
    private final AtomicLong exportStalls = new AtomicLong();
    private volatile boolean running = true;

    /**
     * @param clientProperties brokers and security (KafkaConfig.clientProperties())
     * @param metrics also receives every span and edge (RED and service-graph metrics); may be null
     */
    public ResolvedFragmentExporter(Map<String, Object> clientProperties, String groupId, String topic,
                                    SpanExportQueue queue, ResolvedSpanListener metrics, int maxPollRecords) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        props.computeIfPresent(ConsumerConfig.CLIENT_ID_CONFIG, (k, v) -> v + "-export");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.queue = queue;
        ResolvedSpanListener fanout = new ResolvedSpanListener() {
            @Override
            public void onSpan(CapturedSpanData span) {
                queue.onSpan(span);
                if (metrics != null) {
                    metrics.onSpan(span);
                }
            }

            @Override
            public void onEdge(KnownSpan client, ExchangeSpan server) {
                if (metrics != null) {
                    metrics.onEdge(client, server);
                }
            }
        };
        this.reader = new ResolvedFragmentReader(new ResolvedSpans(fanout));
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic));
            while (running) {
                ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(200));
                if (polled.isEmpty()) {
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : polled) {
                    records.incrementAndGet();
                    long unreadableBefore = reader.unreadable();
                    if (r.value() == null) {
                        unreadable.incrementAndGet();
                    } else {
                        spans.addAndGet(reader.read(r.value()));
                        unreadable.addAndGet(reader.unreadable() - unreadableBefore);
                    }
                    next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                if (awaitBackend(queue.accepted())) {
                    commit(next);
                }
            }
        } catch (WakeupException e) {
            // close() during poll
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** @return false when stopping before the backend took everything (those records stay uncommitted) */
    private boolean awaitBackend(long mark) throws InterruptedException {
        if (queue.awaitExported(mark, Duration.ofSeconds(1))) {
            return true;
        }
        exportStalls.incrementAndGet();
        consumer.pause(consumer.assignment());
        try {
            while (!queue.awaitExported(mark, Duration.ofMillis(500))) {
                if (!running) {
                    return false;
                }
                consumer.poll(Duration.ZERO); // stays in the group; paused partitions return nothing
            }
            return true;
        } finally {
            consumer.resume(consumer.assignment());
        }
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            consumer.commitSync(offsets);
            commits.incrementAndGet();
        } catch (CommitFailedException | RebalanceInProgressException e) {
            commitFailures.incrementAndGet();
        }
    }

    public ExporterStats stats() {
        return new ExporterStats(records.get(), spans.get(), unreadable.get(), commits.get(), commitFailures.get(),
                exportStalls.get());
    }

    /** Stops after the poll in hand is exported and committed (or, when the backend is down, without it). */
    public void stop() {
        running = false;
    }

    /** Interrupts a poll in progress. */
    public void wakeup() {
        consumer.wakeup();
    }
}

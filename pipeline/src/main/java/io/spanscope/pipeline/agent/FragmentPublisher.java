package io.spanscope.pipeline.agent;

import io.spanscope.pipeline.wire.FragmentEncoder;
import io.spanscope.pipeline.wire.FragmentKeys;
import io.spanscope.spans.link.Fragment;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Fragments → Kafka. {@link #accept} (the span pipeline's thread) encodes the fragment and puts it in a
 * byte-bounded {@link PublishQueue}, which never waits and drops the oldest when full. One publisher
 * thread hands queued records to the producer while the bytes it holds unacknowledged stay under
 * {@code maxInFlightBytes} (below the producer's own buffer memory, so {@code send} never blocks on
 * memory): while Kafka is down the producer retries what it holds and the rest waits in the queue.
 */
public final class FragmentPublisher implements Consumer<Fragment>, AutoCloseable {

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long REFUSED_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final FragmentEncoder encoder;
    private final LongSupplier epochNanos;
    private final PublishQueue queue;
    private final long maxInFlightBytes;
    private final Object inFlightLock = new Object();
    private final Thread thread;
    private final AtomicLong encodeFailures = new AtomicLong();
    private final AtomicLong sentRecords = new AtomicLong();
    private final AtomicLong sentBytes = new AtomicLong();
    private final AtomicLong failedRecords = new AtomicLong();
    private final AtomicLong failedBytes = new AtomicLong();
    private long inFlightRecords;
    private long inFlightBytes;
    private volatile String lastFailure;
    private volatile boolean stopping;

    /**
     * @param queueBytes       bound of the queue in front of the producer
     * @param maxInFlightBytes bytes handed to the producer and not yet acknowledged, at most
     * @param epochNanos       the publish time stamped on each fragment
     */
    public FragmentPublisher(Producer<byte[], byte[]> producer, String topic, String agentId, long queueBytes,
                             long maxInFlightBytes, LongSupplier epochNanos) {
        this.producer = producer;
        this.topic = topic;
        this.encoder = new FragmentEncoder(agentId);
        this.epochNanos = epochNanos;
        this.queue = new PublishQueue(queueBytes);
        this.maxInFlightBytes = maxInFlightBytes;
        this.thread = new Thread(this::run, "spanscope-kafka-publisher");
        this.thread.setDaemon(true);
    }

    public FragmentPublisher start() {
        thread.start();
        return this;
    }

    /** Encodes and queues the fragment; never blocks. Called by one thread (the span pipeline's). */
    @Override
    public void accept(Fragment fragment) {
        byte[] value;
        try {
            value = encoder.encode(fragment, epochNanos.getAsLong());
        } catch (RuntimeException e) {
            encodeFailures.incrementAndGet();
            return;
        }
        queue.offer(new PublishQueue.Entry(FragmentKeys.key(fragment), value));
    }

    public PublisherStats stats() {
        PublishQueue.Counts q = queue.counts();
        long records;
        long bytes;
        synchronized (inFlightLock) {
            records = inFlightRecords;
            bytes = inFlightBytes;
        }
        return new PublisherStats(q.recordsIn(), q.bytesIn(), q.droppedRecords(), q.droppedBytes(),
                sentRecords.get(), sentBytes.get(), failedRecords.get(), failedBytes.get(), encodeFailures.get(),
                q.queuedRecords(), q.queuedBytes(), records, bytes, queue.capacityBytes());
    }

    /** The last error the producer reported for a record, or null. */
    public String lastFailure() {
        return lastFailure;
    }

    /**
     * Publishes what is queued and waits for the acknowledgements, for at most {@code timeout}; what is
     * still queued then is counted as dropped, what the producer still holds as failed by the producer.
     * The producer itself is left open (its owner closes it).
     */
    public void close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        stopping = true;
        try {
            thread.join(Math.max(1, timeout.toMillis()));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(1000);
            }
            queue.dropAll();
            producer.flush();
            synchronized (inFlightLock) {
                while (inFlightRecords > 0 && System.nanoTime() < deadline) {
                    inFlightLock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    private void run() {
        try {
            awaitTopicMetadata();
            while (!(stopping && queue.isEmpty())) {
                awaitProducerRoom();
                PublishQueue.Entry entry = queue.poll(POLL_NANOS);
                if (entry != null) {
                    send(entry);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Until the producer knows the topic's partitions, {@code send} would wait for them ({@code max.block.ms})
     * and then fail the record: when Kafka is unreachable at start, records wait in the queue instead.
     */
    private void awaitTopicMetadata() throws InterruptedException {
        while (!stopping) {
            try {
                producer.partitionsFor(topic);
                return;
            } catch (org.apache.kafka.common.KafkaException e) {
                lastFailure = "topic " + topic + " metadata: " + e.getMessage();
                // refused credentials or rights do not fix themselves soon: ask (and let the client log) less often
                boolean refused = e instanceof org.apache.kafka.common.errors.AuthenticationException
                        || e instanceof org.apache.kafka.common.errors.AuthorizationException;
                long pauseUntil = System.nanoTime() + (refused ? REFUSED_RETRY_NANOS : RETRY_NANOS);
                while (!stopping && System.nanoTime() < pauseUntil) {
                    Thread.sleep(100);
                }
            }
        }
    }

    private void awaitProducerRoom() throws InterruptedException {
        synchronized (inFlightLock) {
            while (inFlightBytes >= maxInFlightBytes) {
                inFlightLock.wait(100);
            }
        }
    }

    private void send(PublishQueue.Entry entry) {
        int bytes = entry.bytes();
        synchronized (inFlightLock) {
            inFlightRecords++;
            inFlightBytes += bytes;
        }
        Acknowledgement ack = new Acknowledgement(bytes);
        try {
            producer.send(new ProducerRecord<>(topic, entry.key(), entry.value()), ack);
        } catch (RuntimeException e) {
            // thrown instead of reported to the callback (producer closed, interrupted, bad config)
            ack.onCompletion(null, e);
        }
    }

    /** Settles one record exactly once, whichever way the producer reports it. */
    private final class Acknowledgement implements Callback {
        private final int bytes;
        private final AtomicBoolean settled = new AtomicBoolean();

        Acknowledgement(int bytes) {
            this.bytes = bytes;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            if (exception == null) {
                sentRecords.incrementAndGet();
                sentBytes.addAndGet(bytes);
            } else {
                failedRecords.incrementAndGet();
                failedBytes.addAndGet(bytes);
                lastFailure = exception.getClass().getSimpleName() + ": " + exception.getMessage();
            }
            synchronized (inFlightLock) {
                inFlightRecords--;
                inFlightBytes -= bytes;
                inFlightLock.notifyAll();
            }
        }
    }
}

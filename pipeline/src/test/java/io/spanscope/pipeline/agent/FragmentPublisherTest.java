package io.spanscope.pipeline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.pipeline.wire.FragmentDecoder;
import io.spanscope.pipeline.wire.FragmentKeys;
import io.spanscope.pipeline.wire.WireFragments;
import io.spanscope.spans.link.Fragment;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class FragmentPublisherTest {

    private static final int RECORD_BYTES = recordBytes();

    /** The producer holds everything unacknowledged, as when the brokers are down. */
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(false, new ByteArraySerializer(), new ByteArraySerializer());

    private static Fragment fragment(int i) {
        return WireFragments.frontendFragment(1_000L * (i + 1), 7_000_000L + i);
    }

    private static int recordBytes() {
        Fragment f = fragment(0);
        return new io.spanscope.pipeline.wire.FragmentEncoder("agent").encode(f, 1).length + FragmentKeys.KEY_BYTES;
    }

    @Test
    void whenKafkaDoesNotAnswerTheQueueKeepsTheNewestAndCountsEveryDrop() throws Exception {
        FragmentPublisher publisher = new FragmentPublisher(producer, "spanscope.fragments", "agent",
                10L * RECORD_BYTES, 3L * RECORD_BYTES, () -> 1).start();
        for (int i = 0; i < 50; i++) {
            publisher.accept(fragment(i));
            if (i == 2) {
                await(() -> producer.history().size() == 3);
            }
        }
        await(() -> publisher.stats().queuedRecords() == 10);

        PublisherStats blocked = publisher.stats();
        assertThat(blocked.recordsIn()).isEqualTo(50);
        assertThat(blocked.inFlightRecords()).isEqualTo(3);
        assertThat(blocked.queuedRecords()).isEqualTo(10);
        assertThat(blocked.droppedRecords()).isEqualTo(37);
        assertThat(blocked.droppedBytes()).isEqualTo(37L * RECORD_BYTES);
        assertThat(blocked.sentRecords()).isZero();

        while (producer.history().size() < 13 || publisher.stats().inFlightRecords() > 0) {
            if (!producer.completeNext()) {
                Thread.sleep(5);
            }
        }
        PublisherStats done = publisher.stats();
        assertThat(done.sentRecords()).isEqualTo(13);
        assertThat(done.sentBytes()).isEqualTo(13L * RECORD_BYTES);
        assertThat(done.recordsIn()).isEqualTo(done.sentRecords() + done.droppedRecords());
        // the oldest three were already with the producer; of the rest the newest ten survived
        FragmentDecoder decoder = new FragmentDecoder();
        List<Long> roots = producer.history().stream()
                .map(r -> decoder.decode(r.value()).fragment().root().spanId()).toList();
        assertThat(roots).containsExactly(1_000L, 2_000L, 3_000L, 41_000L, 42_000L, 43_000L, 44_000L, 45_000L,
                46_000L, 47_000L, 48_000L, 49_000L, 50_000L);
        ProducerRecord<byte[], byte[]> first = producer.history().get(0);
        assertThat(first.topic()).isEqualTo("spanscope.fragments");
        assertThat(FragmentKeys.spanIdOf(first.key())).isEqualTo(7_000_000L);
        publisher.close(Duration.ofSeconds(5));
    }

    @Test
    void recordsTheProducerGivesUpAreCountedFailedNotSent() throws Exception {
        FragmentPublisher publisher = new FragmentPublisher(producer, "t", "agent", 1L << 20, 1L << 20, () -> 1).start();
        for (int i = 0; i < 4; i++) {
            publisher.accept(fragment(i));
        }
        await(() -> producer.history().size() == 4);
        producer.errorNext(new TimeoutException("Expiring 1 record(s): 120000 ms has passed"));
        producer.completeNext();
        producer.errorNext(new TimeoutException("Expiring 1 record(s): 120000 ms has passed"));
        producer.completeNext();

        PublisherStats stats = publisher.stats();
        assertThat(stats.failedRecords()).isEqualTo(2);
        assertThat(stats.failedBytes()).isEqualTo(2L * RECORD_BYTES);
        assertThat(stats.sentRecords()).isEqualTo(2);
        assertThat(stats.inFlightRecords()).isZero();
        assertThat(publisher.lastFailure()).contains("120000 ms has passed");
        publisher.close(Duration.ofSeconds(5));
    }

    @Test
    void closeDropsAndCountsWhatCouldNotBePublishedInTime() {
        FragmentPublisher publisher = new FragmentPublisher(producer, "t", "agent", 1L << 20, RECORD_BYTES, () -> 1)
                .start();
        for (int i = 0; i < 6; i++) {
            publisher.accept(fragment(i));
        }
        publisher.close(Duration.ofMillis(300));

        PublisherStats stats = publisher.stats();
        // one record fit the producer's share; MockProducer.flush() acknowledges it
        assertThat(stats.inFlightRecords() + stats.sentRecords()).isEqualTo(1);
        assertThat(stats.queuedRecords()).isZero();
        assertThat(stats.droppedRecords()).isEqualTo(5);
        assertThat(stats.recordsIn()).isEqualTo(stats.sentRecords() + stats.failedRecords() + stats.droppedRecords()
                + stats.queuedRecords() + stats.inFlightRecords());
    }

    @Test
    void aFragmentBiggerThanTheWholeQueueIsDroppedAlone() {
        FragmentPublisher publisher = new FragmentPublisher(producer, "t", "agent", RECORD_BYTES - 1, 1 << 20, () -> 1);
        publisher.accept(fragment(0));

        assertThat(publisher.stats().droppedRecords()).isEqualTo(1);
        assertThat(publisher.stats().queuedRecords()).isZero();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(5);
        }
    }
}

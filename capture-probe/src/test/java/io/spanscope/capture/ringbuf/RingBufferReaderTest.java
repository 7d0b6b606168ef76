package io.spanscope.capture.ringbuf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reader against a memfd ring laid out like the kernel's, with this test playing the producer. */
class RingBufferReaderTest {

    @Test
    void deliversCommittedRecordsInOrderSkipsDiscardedStopsAtBusyAndFreesSpace() throws Exception {
        try (RingBufferMapping ring = RingBufferMapping.anonymous(4096)) {
            FakeProducer producer = new FakeProducer(ring);
            RingBufferReader reader = new RingBufferReader(ring, -1);
            producer.append(bytes(1, 10), 0);
            producer.append(bytes(2, 20), RingBufferReader.DISCARD_BIT);
            producer.append(bytes(3, 30), 0);
            long busyAt = producer.append(bytes(4, 5), RingBufferReader.BUSY_BIT);

            List<byte[]> seen = drain(reader);
            assertThat(seen).hasSize(2);
            assertThat(seen.get(0)).isEqualTo(bytes(1, 10));
            assertThat(seen.get(1)).isEqualTo(bytes(3, 30));
            assertThat(producer.consumerPosition()).isEqualTo(busyAt);

            producer.commit(busyAt);
            assertThat(drain(reader)).singleElement().isEqualTo(bytes(4, 5));
            assertThat(reader.hasData()).isFalse();
        }
    }

    @Test
    void recordCrossingTheEndOfTheRingReadsContiguouslyThroughTheDoubleMapping() throws Exception {
        try (RingBufferMapping ring = RingBufferMapping.anonymous(4096)) {
            FakeProducer producer = new FakeProducer(ring);
            RingBufferReader reader = new RingBufferReader(ring, -1);
            for (int lap = 0; lap < 10; lap++) { // 10 laps of 3 records of 1000 bytes: many wrap
                for (int i = 0; i < 3; i++) {
                    producer.append(bytes(lap * 3 + i, 1000), 0);
                }
                List<byte[]> seen = drain(reader);
                assertThat(seen).hasSize(3);
                for (int i = 0; i < 3; i++) {
                    assertThat(seen.get(i)).isEqualTo(bytes(lap * 3 + i, 1000));
                }
            }
        }
    }

    @Test
    void longDrainHandsSpaceBackInBoundedStepsAndAllOfItAtTheEnd() throws Exception {
        try (RingBufferMapping ring = RingBufferMapping.anonymous(4096)) {
            FakeProducer producer = new FakeProducer(ring);
            RingBufferReader reader = new RingBufferReader(ring, -1);
            long step = RingBufferReader.releaseEveryBytes(4096);
            List<Long> recordEnds = new ArrayList<>();
            for (int i = 0; i < 30; i++) { // 30 records of 120 bytes: most of the ring
                producer.append(bytes(i, 120), 0);
                recordEnds.add(producer.position());
            }
            List<Long> publishedAtRecord = new ArrayList<>();
            int delivered = reader.drain((buffer, offset, length) -> publishedAtRecord.add(producer.consumerPosition()));

            assertThat(delivered).isEqualTo(30);
            assertThat(publishedAtRecord.get(publishedAtRecord.size() - 1)).isPositive(); // freed during the drain
            for (int i = 1; i < publishedAtRecord.size(); i++) {
                long handledBefore = recordEnds.get(i - 1);
                assertThat(handledBefore - publishedAtRecord.get(i)).isBetween(0L, step - 1);
            }
            assertThat(producer.consumerPosition()).isEqualTo(recordEnds.get(29));
        }
    }

    private static List<byte[]> drain(RingBufferReader reader) {
        List<byte[]> seen = new ArrayList<>();
        reader.drain((buffer, offset, length) -> {
            byte[] copy = new byte[length];
            buffer.get(offset, copy);
            seen.add(copy);
        });
        return seen;
    }

    static byte[] bytes(int seed, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }

    /** Writes records the way the kernel's BPF ring buffer does (8-byte header, 8-byte aligned). */
    static final class FakeProducer {
        private final ByteBuffer producerPage;
        private final ByteBuffer consumerPage;
        private final ByteBuffer data;
        private final long size;
        private long position;

        FakeProducer(RingBufferMapping ring) {
            this.producerPage = ring.producerPage().getByteBuffer(0, 8).order(ByteOrder.LITTLE_ENDIAN);
            this.consumerPage = ring.consumerPage().getByteBuffer(0, 8).order(ByteOrder.LITTLE_ENDIAN);
            this.data = ring.data().getByteBuffer(0, 2 * ring.dataSize()).order(ByteOrder.LITTLE_ENDIAN);
            this.size = ring.dataSize();
        }

        /** Appends a record with header flag bits; returns its position. */
        long append(byte[] payload, int flags) {
            long at = position;
            int offset = (int) (at & (size - 1));
            data.putInt(offset, payload.length | flags);
            data.putInt(offset + 4, 0);
            data.put(offset + 8, payload); // past the end lands in the second mapping = the start
            position += (payload.length + 8 + 7) & ~7L;
            producerPage.putLong(0, position);
            return at;
        }

        void commit(long recordPosition) {
            int offset = (int) (recordPosition & (size - 1));
            data.putInt(offset, data.getInt(offset) & ~RingBufferReader.BUSY_BIT);
        }

        long consumerPosition() {
            return consumerPage.getLong(0);
        }

        long position() {
            return position;
        }
    }
}

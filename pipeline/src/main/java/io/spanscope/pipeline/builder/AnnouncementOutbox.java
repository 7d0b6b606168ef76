package io.spanscope.pipeline.builder;

import com.google.protobuf.CodedOutputStream;
import io.spanscope.pipeline.builder.proto.ResolvedSpan;
import io.spanscope.pipeline.builder.proto.SpanAnnouncement;
import io.spanscope.pipeline.wire.FragmentKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.utils.Utils;

/**
 * Announcements on their way to the known-spans topic, gathered per target partition: each flush sends one
 * {@code SpanAnnouncement.batch} record per partition that has any (more when a partition's batch reaches
 * {@link #MAX_SPANS_PER_RECORD}), instead of one record per span. The partition of a span is the default
 * partitioner's function of its 8-byte key, and a batch record is keyed by its first span's id, so the
 * record lands where each of its spans would have. Per partition, announcements keep the order they were
 * made in. Entries are encoded as they come, straight into one growing buffer per partition.
 */
final class AnnouncementOutbox {

    /** Keeps a record far below Kafka's default 1 MB limit (an entry is 30–80 bytes). */
    static final int MAX_SPANS_PER_RECORD = 4_096;
    private static final int SPANS_FIELD = 1;
    private static final int SPAN_ID_FIELD = 1;
    private static final int RESOLVED_FIELD = 2;
    private static final int PENDING_FIELD = 3;
    private static final int UNTIL_FIELD = 1;
    private static final int BATCH_FIELD_TAG = (SpanAnnouncement.BATCH_FIELD_NUMBER << 3) | 2;

    /** Sends one record to the known-spans topic. */
    @FunctionalInterface
    interface Sender {
        void send(byte[] key, byte[] value);
    }

    private final PartitionBatch[] partitions;
    private final byte[] keyScratch = new byte[FragmentKeys.KEY_BYTES];
    private final Sender sender;
    private long records;

    AnnouncementOutbox(int partitionCount, Sender sender) {
        if (partitionCount < 1) {
            throw new IllegalArgumentException("partition count must be positive: " + partitionCount);
        }
        this.partitions = new PartitionBatch[partitionCount];
        for (int p = 0; p < partitionCount; p++) {
            partitions[p] = new PartitionBatch();
        }
        this.sender = sender;
    }

    void resolved(long spanId, ResolvedSpan span) {
        PartitionBatch batch = batchFor(spanId);
        int size = span.getSerializedSize();
        try {
            batch.beginEntry(spanId, 1 + CodedOutputStream.computeUInt32SizeNoTag(size) + size);
            batch.out.writeTag(RESOLVED_FIELD, 2);
            batch.out.writeUInt32NoTag(size);
            span.writeTo(batch.out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        batch.endEntry(this);
    }

    void pending(long spanId, long untilNs) {
        PartitionBatch batch = batchFor(spanId);
        try {
            batch.beginEntry(spanId, 2 + 1 + Long.BYTES);
            batch.out.writeTag(PENDING_FIELD, 2);
            batch.out.writeUInt32NoTag(1 + Long.BYTES);
            batch.out.writeFixed64(UNTIL_FIELD, untilNs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        batch.endEntry(this);
    }

    /** Sends every partition's batch. */
    void flush() {
        for (PartitionBatch batch : partitions) {
            batch.send(this);
        }
    }

    /** Batch records sent so far. */
    long records() {
        return records;
    }

    private PartitionBatch batchFor(long spanId) {
        FragmentKeys.writeSpanIdKey(spanId, keyScratch);
        return partitions[Utils.toPositive(Utils.murmur2(keyScratch)) % partitions.length];
    }

    /** One partition's {@code AnnouncedSpans} being written. */
    private static final class PartitionBatch {
        private final GrowingBytes bytes = new GrowingBytes();
        private final CodedOutputStream out = CodedOutputStream.newInstance(bytes, 4096);
        private long firstSpanId;
        private int spans;

        void beginEntry(long spanId, int kindBytes) throws IOException {
            if (spans == 0) {
                firstSpanId = spanId;
            }
            out.writeTag(SPANS_FIELD, 2);
            out.writeUInt32NoTag(1 + Long.BYTES + kindBytes);
            out.writeFixed64(SPAN_ID_FIELD, spanId);
        }

        void endEntry(AnnouncementOutbox owner) {
            if (++spans >= MAX_SPANS_PER_RECORD) {
                send(owner);
            }
        }

        void send(AnnouncementOutbox owner) {
            if (spans == 0) {
                return;
            }
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            int length = bytes.size();
            byte[] value = new byte[1 + CodedOutputStream.computeUInt32SizeNoTag(length) + length];
            CodedOutputStream v = CodedOutputStream.newInstance(value);
            try {
                v.writeUInt32NoTag(BATCH_FIELD_TAG);
                v.writeUInt32NoTag(length);
                v.writeRawBytes(bytes.array(), 0, length);
                v.checkNoSpaceLeft();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            owner.sender.send(FragmentKeys.spanIdKey(firstSpanId), value);
            owner.records++;
            bytes.reset();
            spans = 0;
        }
    }

    /** A byte sink whose array is read in place. */
    private static final class GrowingBytes extends java.io.OutputStream {
        private byte[] buf = new byte[4096];
        private int count;

        @Override
        public void write(int b) {
            ensure(1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        private void ensure(int more) {
            if (count + more > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
            }
        }

        byte[] array() {
            return buf;
        }

        int size() {
            return count;
        }

        void reset() {
            count = 0;
        }
    }
}

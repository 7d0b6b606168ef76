package io.spanscope.pipeline.builder;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * An in-memory store whose entries are batches of spans and which answers by span id: the changelog gets
 * one record per batch (a whole announcement record read, or the duplicate marks of one commit) instead of
 * one per span. Two key shapes:
 * <ul>
 *   <li>a batch key ({@link #batchKey}: 9 bytes, {@code 'B'} and the batch id): put, delete and get whole
 *       batches — value: 8-byte big-endian expiry (epoch ns) then a {@code spanscope.v1.AnnouncedSpans};</li>
 *   <li>a span id (8 bytes): get only — the {@code AnnouncedSpan} bytes of the latest batch that holds
 *       the span, where a pending marker never hides a resolved announcement of the same span.</li>
 * </ul>
 * Streams' change-logging layer wraps it like any store, so batch puts and deletes are logged and replayed
 * on restore through the same {@link #put}; the span index is rebuilt from them. {@link #all()} lists the
 * batches. {@link #approximateNumEntries()} is the number of spans indexed.
 */
final class SpanBatchStore extends InMemoryBytesStore {

    static final int EXPIRY_BYTES = Long.BYTES;
    private static final byte BATCH_TAG = 'B';
    private static final int SPANS_FIELD_TAG = (1 << 3) | 2;
    private static final int SPAN_ID_TAG = (1 << 3) | 1;
    private static final int RESOLVED_FIELD = 2;
    private static final int PENDING_FIELD = 3;

    private final LongKeyMap<Batch> batches = new LongKeyMap<>();
    private final LongKeyMap<Entry> bySpan = new LongKeyMap<>();

    SpanBatchStore(String name) {
        super(name);
    }

    static KeyValueBytesStoreSupplier supplier(String name) {
        return supplier(name, "in-memory-span-batches", SpanBatchStore::new);
    }

    static Bytes batchKey(long batchId) {
        return Bytes.wrap(ByteBuffer.allocate(1 + Long.BYTES).put(BATCH_TAG).putLong(batchId).array());
    }

    static long batchIdOf(Bytes key) {
        return ByteBuffer.wrap(key.get(), 1, Long.BYTES).getLong();
    }

    static long expiryOf(byte[] batchValue) {
        return ByteBuffer.wrap(batchValue).getLong();
    }

    @Override
    public void put(Bytes key, byte[] value) {
        long id = batchId(key);
        removeBatch(id);
        if (value == null) {
            return;
        }
        Batch batch = new Batch(id, value);
        batches.put(id, batch);
        scan(value, (spanId, offset, length, kind) -> {
            Entry current = bySpan.get(spanId);
            if (current != null && current.kind == Kind.RESOLVED && kind == Kind.PENDING) {
                return; // a marker read after the span's resolution says nothing new
            }
            bySpan.put(spanId, new Entry(batch, offset, length, kind));
        });
    }

    private void removeBatch(long id) {
        Batch batch = batches.remove(id);
        if (batch == null) {
            return;
        }
        scan(batch.value, (spanId, offset, length, kind) -> {
            Entry current = bySpan.get(spanId);
            if (current != null && current.batch == batch) {
                bySpan.remove(spanId);
            }
        });
    }

    @Override
    public byte[] delete(Bytes key) {
        long id = batchId(key);
        Batch batch = batches.get(id);
        removeBatch(id);
        return batch == null ? null : batch.value;
    }

    @Override
    public byte[] get(Bytes key) {
        byte[] k = key.get();
        if (k.length == Long.BYTES) {
            Entry e = bySpan.get(ByteBuffer.wrap(k).getLong());
            return e == null ? null : Arrays.copyOfRange(e.batch.value, e.offset, e.offset + e.length);
        }
        Batch batch = batches.get(batchId(key));
        return batch == null ? null : batch.value;
    }

    /**
     * @throws IllegalArgumentException for any other key; an 8-byte one is what span builders before batching
     *                                  wrote to this store's changelog, which this one cannot restore
     */
    private long batchId(Bytes key) {
        byte[] k = key.get();
        if (k.length != 1 + Long.BYTES || k[0] != BATCH_TAG) {
            throw new IllegalArgumentException("store " + name() + " writes batch keys (9 bytes), not "
                    + k.length + " bytes" + (k.length == Long.BYTES ? ": its changelog was written by an older span"
                    + " builder (one span per entry); start this version under a new builder.application-id" : ""));
        }
        return ByteBuffer.wrap(k, 1, Long.BYTES).getLong();
    }

    /** A snapshot of the batches, in no particular order. */
    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        List<KeyValue<Bytes, byte[]>> snapshot = new ArrayList<>(batches.size());
        batches.forEach((id, batch) -> snapshot.add(KeyValue.pair(batchKey(id), batch.value)));
        return new KeyValueSnapshot(snapshot);
    }

    /** Spans indexed (each span once, however many batches name it). */
    @Override
    public long approximateNumEntries() {
        return bySpan.size();
    }

    int batchCount() {
        return batches.size();
    }

    @Override
    void clear() {
        batches.clear();
        bySpan.clear();
    }

    enum Kind { ID_ONLY, RESOLVED, PENDING }

    @FunctionalInterface
    private interface EntryVisitor {
        void visit(long spanId, int offset, int length, Kind kind);
    }

    /** Walks the {@code AnnouncedSpan}s of a batch value without building messages. */
    private void scan(byte[] value, EntryVisitor visitor) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(value, EXPIRY_BYTES, value.length - EXPIRY_BYTES);
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                if (tag != SPANS_FIELD_TAG) {
                    in.skipField(tag);
                    continue;
                }
                int length = in.readRawVarint32();
                int offset = EXPIRY_BYTES + in.getTotalBytesRead();
                int limit = in.pushLimit(length);
                long spanId = 0;
                Kind kind = Kind.ID_ONLY;
                while (!in.isAtEnd()) {
                    int t = in.readTag();
                    if (t == SPAN_ID_TAG) {
                        spanId = in.readFixed64();
                    } else {
                        int field = t >>> 3;
                        kind = field == RESOLVED_FIELD ? Kind.RESOLVED : field == PENDING_FIELD ? Kind.PENDING : kind;
                        in.skipField(t);
                    }
                }
                in.popLimit(limit);
                visitor.visit(spanId, offset, length, kind);
            }
        } catch (IOException e) {
            throw new IllegalStateException("corrupt batch in store " + name(), e);
        }
    }

    private static final class Batch {
        final long id;
        final byte[] value;

        Batch(long id, byte[] value) {
            this.id = id;
            this.value = value;
        }
    }

    private record Entry(Batch batch, int offset, int length, Kind kind) {
    }
}

package io.spanscope.pipeline.builder;

import com.google.protobuf.CodedInputStream;
import io.spanscope.pipeline.builder.AnnouncedSpansWalk.Kind;
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

    /*
     * An index entry: the batch's slot (high 32 bits), the kind (2 bits) and the offset of the span's
     * AnnouncedSpan in the batch value (30 bits: a batch is one Kafka record, far below 1 GiB).
     */
    private static final int OFFSET_BITS = 30;
    private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
    private static final Kind[] KINDS = Kind.values();

    /** Batch id → its slot in {@link #values}. */
    private final LongLongMap batches = new LongLongMap();
    /** Span id → {@link #entry}: where its {@code AnnouncedSpan} lies, packed into a long (no object per span). */
    private final LongLongMap bySpan = new LongLongMap();
    private byte[][] values = new byte[64][];
    /**
     * Per slot, what removing its batch needs: (span id, index entry) pairs of the spans it indexed, so that
     * expiry and eviction are a loop over longs instead of a second parse of the batch's bytes.
     */
    private long[][] indexedBySlot = new long[64][];
    /** The pairs of the batch being put, before they are copied to their slot (reused: no garbage per put). */
    private final LongPairs indexing = new LongPairs();
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int usedSlots;

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
        int slot = takeSlot(value);
        batches.put(id, slot);
        indexing.clear();
        try {
            scan(value, (spanId, offset, kind) -> {
                if (kind == Kind.PENDING) {
                    long current = bySpan.get(spanId);
                    if (current != LongLongMap.ABSENT && kindOf(current) == Kind.RESOLVED) {
                        return; // a marker read after the span's resolution says nothing new
                    }
                }
                long entry = entry(slot, offset, kind);
                bySpan.put(spanId, entry); // one probe for most spans: no lookup first
                indexing.add(spanId, entry);
            });
        } finally {
            // even for a batch found corrupt part way: removing it must take what was indexed before
            indexedBySlot[slot] = indexing.toArray();
        }
    }

    /** @return the value of the batch removed, or null */
    private byte[] removeBatch(long id) {
        long slot = batches.remove(id);
        if (slot == LongLongMap.ABSENT) {
            return null;
        }
        byte[] value = values[(int) slot];
        long[] indexed = indexedBySlot[(int) slot];
        // a span's entry is still the one put() wrote, unless a later batch took the span over
        for (int i = 0; i < indexed.length; i += 2) {
            bySpan.remove(indexed[i], indexed[i + 1]);
        }
        releaseSlot((int) slot);
        return value;
    }

    @Override
    public byte[] delete(Bytes key) {
        return removeBatch(batchId(key));
    }

    @Override
    public byte[] get(Bytes key) {
        byte[] k = key.get();
        if (k.length == Long.BYTES) {
            long e = bySpan.get(ByteBuffer.wrap(k).getLong());
            return e == LongLongMap.ABSENT ? null : announcedSpanAt(values[slotOf(e)], offsetOf(e));
        }
        long slot = batches.get(batchId(key));
        return slot == LongLongMap.ABSENT ? null : values[(int) slot];
    }

    /** The {@code AnnouncedSpan} bytes whose length prefix is at {@code offset}. */
    private byte[] announcedSpanAt(byte[] value, int offset) {
        try {
            CodedInputStream in = AnnouncedSpansWalk.entryAt(value, offset);
            return in.readRawBytes(in.getBytesUntilLimit());
        } catch (IOException e) {
            throw new IllegalStateException("corrupt batch in store " + name(), e);
        }
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
        batches.forEach((id, slot) -> snapshot.add(KeyValue.pair(batchKey(id), values[(int) slot])));
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
        Arrays.fill(values, null);
        Arrays.fill(indexedBySlot, null);
        freeCount = 0;
        usedSlots = 0;
    }

    /** Walks the {@code AnnouncedSpan}s of a batch value (offsets within the value). */
    private void scan(byte[] value, AnnouncedSpansWalk.EntryVisitor visitor) {
        try {
            AnnouncedSpansWalk.forEach(value, EXPIRY_BYTES, value.length - EXPIRY_BYTES, visitor);
        } catch (IOException e) {
            throw new IllegalStateException("corrupt batch in store " + name(), e);
        }
    }

    private int takeSlot(byte[] value) {
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            if (usedSlots == values.length) {
                values = Arrays.copyOf(values, values.length * 2);
                indexedBySlot = Arrays.copyOf(indexedBySlot, indexedBySlot.length * 2);
                freeSlots = Arrays.copyOf(freeSlots, freeSlots.length * 2);
            }
            slot = usedSlots++;
        }
        values[slot] = value;
        return slot;
    }

    private void releaseSlot(int slot) {
        values[slot] = null;
        indexedBySlot[slot] = null;
        freeSlots[freeCount++] = slot;
    }

    private long entry(int slot, int offset, Kind kind) {
        if (offset > OFFSET_MASK) {
            throw new IllegalStateException("batch of store " + name() + " too large to index: " + offset);
        }
        return (long) slot << 32 | (long) kind.ordinal() << OFFSET_BITS | offset;
    }

    private static int slotOf(long entry) {
        return (int) (entry >>> 32);
    }

    private static Kind kindOf(long entry) {
        return KINDS[(int) (entry >>> OFFSET_BITS) & 3];
    }

    private static int offsetOf(long entry) {
        return (int) (entry & OFFSET_MASK);
    }
}

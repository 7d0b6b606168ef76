package io.spanscope.pipeline.builder;

import java.nio.ByteBuffer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Spans by id that expire a batch at a time, over a changelogged {@link SpanBatchStore}: each batch is one
 * store entry and one changelog record, and expires (or is evicted) whole. The expiry order is an
 * {@link ExpiryQueue} on the heap, rebuilt from the store's batches when the task starts. Bounded by
 * {@code maxSpans}: beyond it the oldest batches are evicted, and every span they held is counted.
 */
final class SpanBatches {

    private final KeyValueStore<Bytes, byte[]> store;
    private final ExpiryQueue byExpiry = new ExpiryQueue();
    private final int maxSpans;
    private long evicted;

    SpanBatches(KeyValueStore<Bytes, byte[]> store, int maxSpans) {
        this.store = store;
        this.maxSpans = maxSpans;
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> e = it.next();
                byExpiry.add(SpanBatchStore.expiryOf(e.value), SpanBatchStore.batchIdOf(e.key));
            }
        }
        byExpiry.sort();
    }

    /**
     * Stores {@code length} bytes of {@code AnnouncedSpans} from {@code spans} as batch {@code batchId}
     * (replacing a batch of that id: a batch id is unique per partition, so it is the same batch read again).
     */
    void put(long batchId, byte[] spans, int offset, int length, long expiresNs) {
        byte[] value = ByteBuffer.allocate(SpanBatchStore.EXPIRY_BYTES + length).putLong(expiresNs)
                .put(spans, offset, length).array();
        store.put(SpanBatchStore.batchKey(batchId), value);
        byExpiry.add(expiresNs, batchId);
        while (store.approximateNumEntries() > maxSpans && evictOldest()) {
            // evicted one batch
        }
    }

    /** The {@code AnnouncedSpan} bytes of span {@code spanId}, or null. */
    byte[] get(long spanId) {
        return store.get(HashKeyValueStore.idKey(spanId));
    }

    /** Removes every batch whose expiry is at or before {@code nowNs}. */
    void expire(long nowNs) {
        while (!byExpiry.isEmpty() && byExpiry.peekInstant() <= nowNs) {
            removeIfCurrent(byExpiry.peekInstant(), byExpiry.peekId());
            byExpiry.remove();
        }
    }

    /** Spans held. */
    long size() {
        return store.approximateNumEntries();
    }

    /** Spans removed before their expiry because the store was full. */
    long evicted() {
        return evicted;
    }

    /** @return whether there was a batch left to evict */
    private boolean evictOldest() {
        while (!byExpiry.isEmpty()) {
            long before = store.approximateNumEntries();
            boolean removed = removeIfCurrent(byExpiry.peekInstant(), byExpiry.peekId());
            byExpiry.remove();
            if (removed) {
                evicted += before - store.approximateNumEntries();
                return true;
            }
        }
        return false;
    }

    /** @return whether the pair named a batch still stored with that expiry (then it is deleted) */
    private boolean removeIfCurrent(long expiresNs, long batchId) {
        Bytes key = SpanBatchStore.batchKey(batchId);
        byte[] stored = store.get(key);
        if (stored != null && SpanBatchStore.expiryOf(stored) == expiresNs) {
            store.delete(key);
            return true;
        }
        return false;
    }
}

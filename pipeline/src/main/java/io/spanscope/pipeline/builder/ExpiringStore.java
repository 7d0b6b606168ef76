package io.spanscope.pipeline.builder;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Values by span id that expire, in a changelogged state store (id → expiry ‖ value). The expiry order is
 * an {@link ExpiryQueue} on the heap, rebuilt from the store when the task starts, so forgetting what
 * expired and evicting the oldest when full touch only the front. Queue pairs left behind by an overwrite
 * are recognised (the stored expiry no longer matches) and skipped. Bounded by {@code maxEntries};
 * evictions are counted.
 */
final class ExpiringStore {

    private final KeyValueStore<Bytes, byte[]> entries;
    private final ExpiryQueue byExpiry = new ExpiryQueue();
    private final int maxEntries;
    private long size;
    private long evicted;

    ExpiringStore(KeyValueStore<Bytes, byte[]> entries, int maxEntries) {
        this.entries = entries;
        this.maxEntries = maxEntries;
        try (KeyValueIterator<Bytes, byte[]> it = entries.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> e = it.next();
                byExpiry.add(ByteBuffer.wrap(e.value).getLong(), ByteBuffer.wrap(e.key.get()).getLong());
                size++;
            }
        }
        byExpiry.sort();
    }

    /** The value stored for {@code id}, or null (also when it expired and was not yet swept). */
    byte[] get(long id) {
        byte[] stored = entries.get(idKey(id));
        return stored == null ? null : Arrays.copyOfRange(stored, Long.BYTES, stored.length);
    }

    void put(long id, byte[] value, long expiresNs) {
        Bytes key = idKey(id);
        byte[] previous = entries.get(key);
        if (previous == null) {
            if (size >= maxEntries) {
                evictOldest();
            }
            size++;
        }
        entries.put(key, ByteBuffer.allocate(Long.BYTES + value.length).putLong(expiresNs).put(value).array());
        byExpiry.add(expiresNs, id);
    }

    void delete(long id) {
        if (entries.delete(idKey(id)) != null) {
            size--;
        }
    }

    /** Removes every entry whose expiry is at or before {@code nowNs}. */
    void expire(long nowNs) {
        while (!byExpiry.isEmpty() && byExpiry.peekInstant() <= nowNs) {
            removeIfCurrent(byExpiry.peekInstant(), byExpiry.peekId());
            byExpiry.remove();
        }
    }

    long size() {
        return size;
    }

    /** Entries removed before their expiry because the store was full. */
    long evicted() {
        return evicted;
    }

    private void evictOldest() {
        while (!byExpiry.isEmpty()) {
            boolean removed = removeIfCurrent(byExpiry.peekInstant(), byExpiry.peekId());
            byExpiry.remove();
            if (removed) {
                evicted++;
                return;
            }
        }
    }

    /** @return whether the pair was current (an entry was removed), not left from an overwrite or delete */
    private boolean removeIfCurrent(long expiresNs, long id) {
        Bytes key = idKey(id);
        byte[] stored = entries.get(key);
        if (stored != null && ByteBuffer.wrap(stored).getLong() == expiresNs) {
            entries.delete(key);
            size--;
            return true;
        }
        return false;
    }

    static Bytes idKey(long id) {
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(id).array());
    }
}

package io.spanscope.pipeline.builder;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * An in-memory store of span ids (8-byte keys) over a {@link LongKeyMap} keyed by the id as a long: the
 * resolver only gets, puts and deletes single span ids, and Streams' own in-memory store keeps a sorted map
 * whose byte-wise key comparisons were a tenth of the stream thread's time (profiled); hashing the
 * {@link Bytes} key itself walks its array on every call. Ordered access ({@link #range}) is not needed and
 * not offered; {@link #all()} iterates in no particular order (the owners rebuild their expiry order from it
 * at start). Wrapped by Streams' change-logging layer like any other store, so it is restored from its
 * changelog.
 */
final class HashKeyValueStore extends InMemoryBytesStore {

    private final LongKeyMap<byte[]> entries = new LongKeyMap<>();

    HashKeyValueStore(String name) {
        super(name);
    }

    static KeyValueBytesStoreSupplier supplier(String name) {
        return supplier(name, "in-memory-hash", HashKeyValueStore::new);
    }

    private long id(Bytes key) {
        byte[] b = key.get();
        if (b.length != Long.BYTES) {
            throw new IllegalArgumentException("store " + name() + " takes 8-byte span ids, not " + b.length
                    + " bytes");
        }
        return ByteBuffer.wrap(b).getLong();
    }

    /** The store key of a span id (or any long): 8 bytes big-endian. */
    static Bytes idKey(long id) {
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(id).array());
    }

    @Override
    public void put(Bytes key, byte[] value) {
        if (value == null) {
            entries.remove(id(key));
        } else {
            entries.put(id(key), value);
        }
    }

    @Override
    public byte[] delete(Bytes key) {
        return entries.remove(id(key));
    }

    @Override
    public byte[] get(Bytes key) {
        return entries.get(id(key));
    }

    /** A snapshot of the entries, in no particular order. */
    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        List<KeyValue<Bytes, byte[]>> snapshot = new ArrayList<>(entries.size());
        entries.forEach((id, value) -> snapshot.add(KeyValue.pair(idKey(id), value)));
        return new KeyValueSnapshot(snapshot);
    }

    @Override
    public long approximateNumEntries() {
        return entries.size();
    }

    @Override
    void clear() {
        entries.clear();
    }
}

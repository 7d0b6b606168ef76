package io.spanscope.pipeline.builder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A store that writes through to another and records every write as Streams' change-logging layer sends it
 * to the changelog topic, so a test can count changelog records and replay them (whole, or compacted as
 * Kafka would) into a fresh store.
 */
final class RecordingStore implements KeyValueStore<Bytes, byte[]> {

    final List<KeyValue<Bytes, byte[]>> changelog = new ArrayList<>();
    private final KeyValueStore<Bytes, byte[]> inner;

    RecordingStore(KeyValueStore<Bytes, byte[]> inner) {
        this.inner = inner;
    }

    /** The changelog after log compaction: the last record per key, deleted keys gone. */
    List<KeyValue<Bytes, byte[]>> compacted() {
        Map<Bytes, byte[]> last = new LinkedHashMap<>();
        for (KeyValue<Bytes, byte[]> kv : changelog) {
            last.remove(kv.key);
            if (kv.value != null) {
                last.put(kv.key, kv.value);
            }
        }
        List<KeyValue<Bytes, byte[]>> out = new ArrayList<>();
        last.forEach((k, v) -> out.add(KeyValue.pair(k, v)));
        return out;
    }

    @Override
    public void put(Bytes key, byte[] value) {
        changelog.add(KeyValue.pair(key, value));
        inner.put(key, value);
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        byte[] current = inner.get(key);
        if (current == null) {
            put(key, value);
        }
        return current;
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        entries.forEach(kv -> put(kv.key, kv.value));
    }

    @Override
    public byte[] delete(Bytes key) {
        changelog.add(KeyValue.pair(key, null));
        return inner.delete(key);
    }

    @Override
    public byte[] get(Bytes key) {
        return inner.get(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return inner.range(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return inner.all();
    }

    @Override
    public long approximateNumEntries() {
        return inner.approximateNumEntries();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Deprecated
    @Override
    public void init(org.apache.kafka.streams.processor.ProcessorContext context, StateStore root) {
        inner.init(context, root);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }
}

package io.spanscope.pipeline.builder;

import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.ProcessorContext;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * What the span builder's in-memory stores share: the Streams store lifecycle (restored from the changelog
 * through {@link #put}, nothing to flush, not persistent), no ordered access, and the derived writes. A
 * subclass keeps its entries and answers {@link #put}, {@link #get}, {@link #delete}, {@link #all},
 * {@link #approximateNumEntries} and {@link #clear}.
 */
abstract class InMemoryBytesStore implements KeyValueStore<Bytes, byte[]> {

    private final String name;
    private final Position position = Position.emptyPosition();
    private volatile boolean open;

    InMemoryBytesStore(String name) {
        this.name = name;
    }

    static KeyValueBytesStoreSupplier supplier(String name, String metricsScope,
                                               Function<String, KeyValueStore<Bytes, byte[]>> factory) {
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return factory.apply(name);
            }

            @Override
            public String metricsScope() {
                return metricsScope;
            }
        };
    }

    /** Drops every entry (the store is closing). */
    abstract void clear();

    @Override
    public String name() {
        return name;
    }

    @Deprecated
    @Override
    public void init(ProcessorContext context, StateStore root) {
        context.register(root, this::restore);
        open = true;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, this::restore);
        open = true;
    }

    private void restore(byte[] key, byte[] value) {
        put(Bytes.wrap(key), value);
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        byte[] current = get(key);
        if (current == null) {
            put(key, value);
        }
        return current;
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> pairs) {
        pairs.forEach(kv -> put(kv.key, kv.value));
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        throw new UnsupportedOperationException("store " + name + " is not ordered");
    }

    @Override
    public Position getPosition() {
        return position;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        clear();
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }
}

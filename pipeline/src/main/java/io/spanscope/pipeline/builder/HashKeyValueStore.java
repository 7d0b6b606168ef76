package io.spanscope.pipeline.builder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
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
 * An in-memory store over a {@link HashMap}: the resolver only gets, puts and deletes single span ids, and
 * Streams' own in-memory store keeps a sorted map whose byte-wise key comparisons were a tenth of the
 * stream thread's time (profiled). Ordered access ({@link #range}) is not needed and not offered; {@link
 * #all()} iterates in no particular order (the owners rebuild their expiry order from it at start). Wrapped
 * by Streams' change-logging layer like any other store, so it is restored from its changelog.
 */
final class HashKeyValueStore implements KeyValueStore<Bytes, byte[]> {

    private final String name;
    private final HashMap<Bytes, byte[]> entries = new HashMap<>();
    private final Position position = Position.emptyPosition();
    private volatile boolean open;

    HashKeyValueStore(String name) {
        this.name = name;
    }

    static KeyValueBytesStoreSupplier supplier(String name) {
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return new HashKeyValueStore(name);
            }

            @Override
            public String metricsScope() {
                return "in-memory-hash";
            }
        };
    }

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
        if (value == null) {
            entries.remove(Bytes.wrap(key));
        } else {
            entries.put(Bytes.wrap(key), value);
        }
    }

    @Override
    public void put(Bytes key, byte[] value) {
        if (value == null) {
            entries.remove(key);
        } else {
            entries.put(key, value);
        }
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        byte[] current = entries.get(key);
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
    public byte[] delete(Bytes key) {
        return entries.remove(key);
    }

    @Override
    public byte[] get(Bytes key) {
        return entries.get(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        throw new UnsupportedOperationException("store " + name + " is not ordered");
    }

    /** A snapshot of the entries, in no particular order. */
    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return new Snapshot(new ArrayList<>(entries.entrySet()));
    }

    @Override
    public long approximateNumEntries() {
        return entries.size();
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
        entries.clear();
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

    private static final class Snapshot implements KeyValueIterator<Bytes, byte[]> {
        private final Iterator<Map.Entry<Bytes, byte[]>> it;
        private Map.Entry<Bytes, byte[]> next;

        Snapshot(List<Map.Entry<Bytes, byte[]>> entries) {
            this.it = entries.iterator();
        }

        @Override
        public boolean hasNext() {
            return next != null || it.hasNext();
        }

        @Override
        public KeyValue<Bytes, byte[]> next() {
            Map.Entry<Bytes, byte[]> e = next != null ? next : it.next();
            next = null;
            if (e == null) {
                throw new NoSuchElementException();
            }
            return KeyValue.pair(e.getKey(), e.getValue());
        }

        @Override
        public Bytes peekNextKey() {
            if (next == null) {
                next = it.next();
            }
            return next.getKey();
        }

        @Override
        public void close() {
        }
    }
}

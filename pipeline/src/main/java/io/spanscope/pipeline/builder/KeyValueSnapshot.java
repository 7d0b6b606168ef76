package io.spanscope.pipeline.builder;

import java.util.List;
import java.util.NoSuchElementException;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

/** An iterator over entries copied out of an in-memory store: the store may change while it is read. */
final class KeyValueSnapshot implements KeyValueIterator<Bytes, byte[]> {

    private final List<KeyValue<Bytes, byte[]>> entries;
    private int next;

    KeyValueSnapshot(List<KeyValue<Bytes, byte[]>> entries) {
        this.entries = entries;
    }

    @Override
    public boolean hasNext() {
        return next < entries.size();
    }

    @Override
    public KeyValue<Bytes, byte[]> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return entries.get(next++);
    }

    @Override
    public Bytes peekNextKey() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return entries.get(next).key;
    }

    @Override
    public void close() {
    }
}

package io.spanscope.pipeline.builder;

import java.util.Arrays;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;

/**
 * A hash map from {@code long} (span ids, batch ids) to objects, on {@link LongHashSlots}: an entry costs no
 * objects of its own for the collector to copy. Not thread-safe.
 */
final class LongKeyMap<V> extends LongHashSlots {

    private Object[] values;
    /** Key 0 marks an empty slot, so its entry is kept here. */
    private Object zeroValue;

    LongKeyMap() {
        allocateSlots();
    }

    int size() {
        return slotsUsed() + (zeroValue != null ? 1 : 0);
    }

    boolean isEmpty() {
        return size() == 0;
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        if (key == 0) {
            return (V) zeroValue;
        }
        int slot = slotOf(key);
        return slot < 0 ? null : (V) values[slot];
    }

    /** @return the value replaced, or null */
    @SuppressWarnings("unchecked")
    V put(long key, V value) {
        if (value == null) {
            throw new IllegalArgumentException("null value");
        }
        if (key == 0) {
            V previous = (V) zeroValue;
            zeroValue = value;
            return previous;
        }
        int slot = slotForInsert(key);
        if (slot < 0) {
            values[-(slot + 1)] = value;
            return null;
        }
        V previous = (V) values[slot];
        values[slot] = value;
        return previous;
    }

    /** @return the value removed, or null */
    @SuppressWarnings("unchecked")
    V remove(long key) {
        if (key == 0) {
            V previous = (V) zeroValue;
            zeroValue = null;
            return previous;
        }
        int slot = slotOf(key);
        if (slot < 0) {
            return null;
        }
        V previous = (V) values[slot];
        removeAt(slot);
        return previous;
    }

    @SuppressWarnings("unchecked")
    void forEach(BiConsumer<Long, V> action) {
        if (zeroValue != null) {
            action.accept(0L, (V) zeroValue);
        }
        for (int i = 0; i < capacity(); i++) {
            long key = keyAt(i);
            if (key != 0) {
                action.accept(key, (V) values[i]);
            }
        }
    }

    void forEachKey(LongConsumer action) {
        if (zeroValue != null) {
            action.accept(0L);
        }
        for (int i = 0; i < capacity(); i++) {
            long key = keyAt(i);
            if (key != 0) {
                action.accept(key);
            }
        }
    }

    void clear() {
        clearSlots();
        Arrays.fill(values, null);
        zeroValue = null;
    }

    @Override
    Object replaceValues(int capacity) {
        Object[] old = values;
        values = new Object[capacity];
        return old;
    }

    @Override
    void copyValue(Object oldValues, int from, int to) {
        values[to] = ((Object[]) oldValues)[from];
    }

    @Override
    void moveValue(int from, int to) {
        values[to] = values[from];
    }

    @Override
    void clearValue(int slot) {
        values[slot] = null;
    }
}

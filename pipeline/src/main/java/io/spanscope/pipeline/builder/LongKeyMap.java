package io.spanscope.pipeline.builder;

import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * A hash map from {@code long} (span ids, batch ids) to objects: open addressing with linear probing over
 * a {@code long[]} of keys and an {@code Object[]} of values, so a lookup compares keys in place instead of
 * following a boxed {@code Long} and a node per entry (profiled: those dereferences, and tree bins from
 * span ids that collide under {@code Long.hashCode}, were a visible share of the stream thread), and an
 * entry costs no objects of its own for the collector to copy. Keys are mixed before use; removal shifts
 * later entries back, so there are no tombstones. Not thread-safe.
 */
final class LongKeyMap<V> {

    private static final float MAX_LOAD = 0.6f;

    private long[] keys;
    private Object[] values;
    private int mask;
    private int size;
    private int resizeAt;
    /** Key 0 marks an empty slot, so its entry is kept here. */
    private Object zeroValue;

    LongKeyMap() {
        allocate(64);
    }

    int size() {
        return size + (zeroValue != null ? 1 : 0);
    }

    boolean isEmpty() {
        return size() == 0;
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        if (key == 0) {
            return (V) zeroValue;
        }
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return (V) values[i];
            }
            if (k == 0) {
                return null;
            }
        }
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
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                V previous = (V) values[i];
                values[i] = value;
                return previous;
            }
            if (k == 0) {
                keys[i] = key;
                values[i] = value;
                if (++size >= resizeAt) {
                    grow();
                }
                return null;
            }
        }
    }

    /** @return the value removed, or null */
    @SuppressWarnings("unchecked")
    V remove(long key) {
        if (key == 0) {
            V previous = (V) zeroValue;
            zeroValue = null;
            return previous;
        }
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == 0) {
                return null;
            }
            if (k == key) {
                V previous = (V) values[i];
                shiftBack(i);
                size--;
                return previous;
            }
        }
    }

    @SuppressWarnings("unchecked")
    void forEach(BiConsumer<Long, V> action) {
        if (zeroValue != null) {
            action.accept(0L, (V) zeroValue);
        }
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                action.accept(keys[i], (V) values[i]);
            }
        }
    }

    void forEachKey(java.util.function.LongConsumer action) {
        if (zeroValue != null) {
            action.accept(0L);
        }
        for (long k : keys) {
            if (k != 0) {
                action.accept(k);
            }
        }
    }

    void clear() {
        Arrays.fill(keys, 0);
        Arrays.fill(values, null);
        size = 0;
        zeroValue = null;
    }

    /** Empties slot {@code gap} and moves back every later entry of its run that may not stay behind it. */
    private void shiftBack(int gap) {
        for (int i = (gap + 1) & mask; keys[i] != 0; i = (i + 1) & mask) {
            int home = slot(keys[i]);
            // the entry at i may fill the gap if its home is not within (gap, i] (cyclically)
            boolean homeAfterGap = gap <= i ? home > gap && home <= i : home > gap || home <= i;
            if (!homeAfterGap) {
                keys[gap] = keys[i];
                values[gap] = values[i];
                gap = i;
            }
        }
        keys[gap] = 0;
        values[gap] = null;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        allocate(keys.length * 2);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                insertNew(oldKeys[i], oldValues[i]);
            }
        }
    }

    private void insertNew(long key, Object value) {
        int i = slot(key);
        while (keys[i] != 0) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = value;
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
        resizeAt = (int) (capacity * MAX_LOAD);
    }
}

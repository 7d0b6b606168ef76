package io.spanscope.pipeline.builder;

import java.util.Arrays;

/**
 * A hash map from {@code long} to non-negative {@code long}: {@link LongKeyMap}'s open addressing with
 * linear probing, over a {@code long[]} of keys and a {@code long[]} of values, so that an entry costs no
 * object at all. A store holding a million span ids as objects gave the collector a million objects to copy
 * while young and to mark once old; packed into two arrays they are two objects. Keys are mixed before use;
 * removal shifts later entries back, so there are no tombstones. Not thread-safe.
 */
final class LongLongMap {

    /** What {@link #get} and {@link #remove} answer for a key that is not in the map. */
    static final long ABSENT = -1;
    private static final float MAX_LOAD = 0.6f;

    private long[] keys;
    private long[] values;
    private int mask;
    private int size;
    private int resizeAt;
    /** Key 0 marks an empty slot, so its entry is kept here. */
    private long zeroValue = ABSENT;

    LongLongMap() {
        allocate(64);
    }

    int size() {
        return size + (zeroValue != ABSENT ? 1 : 0);
    }

    boolean isEmpty() {
        return size() == 0;
    }

    /** @return the value of {@code key}, or {@link #ABSENT} */
    long get(long key) {
        if (key == 0) {
            return zeroValue;
        }
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == 0) {
                return ABSENT;
            }
        }
    }

    /**
     * @param value at least 0
     * @return the value replaced, or {@link #ABSENT}
     */
    long put(long key, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative value " + value);
        }
        if (key == 0) {
            long previous = zeroValue;
            zeroValue = value;
            return previous;
        }
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                long previous = values[i];
                values[i] = value;
                return previous;
            }
            if (k == 0) {
                keys[i] = key;
                values[i] = value;
                if (++size >= resizeAt) {
                    grow();
                }
                return ABSENT;
            }
        }
    }

    /** @return the value removed, or {@link #ABSENT} */
    long remove(long key) {
        if (key == 0) {
            long previous = zeroValue;
            zeroValue = ABSENT;
            return previous;
        }
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == 0) {
                return ABSENT;
            }
            if (k == key) {
                long previous = values[i];
                shiftBack(i);
                size--;
                return previous;
            }
        }
    }

    /** Removes {@code key} only if its value is {@code expected} (one probe, where get and remove take two). */
    boolean remove(long key, long expected) {
        if (key == 0) {
            if (zeroValue != expected || expected == ABSENT) {
                return false;
            }
            zeroValue = ABSENT;
            return true;
        }
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == 0) {
                return false;
            }
            if (k == key) {
                if (values[i] != expected) {
                    return false;
                }
                shiftBack(i);
                size--;
                return true;
            }
        }
    }

    @FunctionalInterface
    interface EntryConsumer {
        void accept(long key, long value);
    }

    void forEach(EntryConsumer action) {
        if (zeroValue != ABSENT) {
            action.accept(0L, zeroValue);
        }
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                action.accept(keys[i], values[i]);
            }
        }
    }

    void clear() {
        Arrays.fill(keys, 0);
        size = 0;
        zeroValue = ABSENT;
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
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        allocate(keys.length * 2);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                int at = slot(oldKeys[i]);
                while (keys[at] != 0) {
                    at = (at + 1) & mask;
                }
                keys[at] = oldKeys[i];
                values[at] = oldValues[i];
            }
        }
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        values = new long[capacity];
        mask = capacity - 1;
        resizeAt = (int) (capacity * MAX_LOAD);
    }
}

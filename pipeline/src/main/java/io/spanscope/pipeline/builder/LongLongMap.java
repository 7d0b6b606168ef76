package io.spanscope.pipeline.builder;

/**
 * A hash map from {@code long} to non-negative {@code long}, on {@link LongHashSlots} with a {@code long[]} of
 * values, so that an entry costs no object at all. A store holding a million span ids as objects gave the
 * collector a million objects to copy while young and to mark once old; packed into two arrays they are two
 * objects. Not thread-safe.
 */
final class LongLongMap extends LongHashSlots {

    /** What {@link #get} and {@link #remove} answer for a key that is not in the map. */
    static final long ABSENT = -1;

    private long[] values;
    /** Key 0 marks an empty slot, so its entry is kept here. */
    private long zeroValue = ABSENT;

    LongLongMap() {
        allocateSlots();
    }

    int size() {
        return slotsUsed() + (zeroValue != ABSENT ? 1 : 0);
    }

    boolean isEmpty() {
        return size() == 0;
    }

    /** @return the value of {@code key}, or {@link #ABSENT} */
    long get(long key) {
        if (key == 0) {
            return zeroValue;
        }
        int slot = slotOf(key);
        return slot < 0 ? ABSENT : values[slot];
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
        int slot = slotForInsert(key);
        if (slot < 0) {
            values[-(slot + 1)] = value;
            return ABSENT;
        }
        long previous = values[slot];
        values[slot] = value;
        return previous;
    }

    /** @return the value removed, or {@link #ABSENT} */
    long remove(long key) {
        if (key == 0) {
            long previous = zeroValue;
            zeroValue = ABSENT;
            return previous;
        }
        int slot = slotOf(key);
        if (slot < 0) {
            return ABSENT;
        }
        long previous = values[slot];
        removeAt(slot);
        return previous;
    }

    /** Removes {@code key} only if its value is {@code expected} (one probe, where get and remove take two). */
    boolean remove(long key, long expected) {
        if (expected == ABSENT) {
            return false;
        }
        if (key == 0) {
            if (zeroValue != expected) {
                return false;
            }
            zeroValue = ABSENT;
            return true;
        }
        int slot = slotOf(key);
        if (slot < 0 || values[slot] != expected) {
            return false;
        }
        removeAt(slot);
        return true;
    }

    @FunctionalInterface
    interface EntryConsumer {
        void accept(long key, long value);
    }

    void forEach(EntryConsumer action) {
        if (zeroValue != ABSENT) {
            action.accept(0L, zeroValue);
        }
        for (int i = 0; i < capacity(); i++) {
            long key = keyAt(i);
            if (key != 0) {
                action.accept(key, values[i]);
            }
        }
    }

    void clear() {
        clearSlots();
        zeroValue = ABSENT;
    }

    @Override
    Object replaceValues(int capacity) {
        long[] old = values;
        values = new long[capacity];
        return old;
    }

    @Override
    void copyValue(Object oldValues, int from, int to) {
        values[to] = ((long[]) oldValues)[from];
    }

    @Override
    void moveValue(int from, int to) {
        values[to] = values[from];
    }

    @Override
    void clearValue(int slot) {
        // a long needs no clearing: an empty slot is told by its key
    }
}

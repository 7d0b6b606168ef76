package io.spanscope.pipeline.builder;

import java.util.Arrays;

/**
 * The key side of the maps keyed by {@code long} (span ids, batch ids): open addressing with linear probing
 * over a {@code long[]}, so a lookup compares keys in place instead of following a boxed {@code Long} and a
 * node per entry (profiled: those dereferences, and tree bins from span ids that collide under
 * {@code Long.hashCode}, were a visible share of the stream thread). Keys are mixed before use; removal shifts
 * later entries back, so there are no tombstones. Key 0 marks an empty slot: subclasses keep its entry apart.
 * A subclass holds the values in an array of its own, parallel to the keys. Not thread-safe.
 */
abstract class LongHashSlots {

    private static final float MAX_LOAD = 0.6f;

    private long[] keys;
    private int mask;
    private int size;
    private int resizeAt;

    /** Called once by the subclass's constructor, after its own fields are set. */
    final void allocateSlots() {
        allocate(64);
    }

    /** Slot of {@code key} (not 0), or -1. */
    final int slotOf(long key) {
        for (int i = home(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return i;
            }
            if (k == 0) {
                return -1;
            }
        }
    }

    /**
     * Slot of {@code key} (not 0), or {@code -(slot + 1)} of the slot it now holds, its value still to be set: the
     * table may have grown, so the slot is only valid until the next insertion.
     */
    final int slotForInsert(long key) {
        for (int i = home(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return i;
            }
            if (k == 0) {
                if (size + 1 >= resizeAt) {
                    grow();
                    return slotForInsert(key);
                }
                keys[i] = key;
                size++;
                return -(i + 1);
            }
        }
    }

    /** Empties {@code slot} and moves back every later entry of its run that may not stay behind it. */
    final void removeAt(int slot) {
        int gap = slot;
        for (int i = (gap + 1) & mask; keys[i] != 0; i = (i + 1) & mask) {
            int home = home(keys[i]);
            // the entry at i may fill the gap if its home is not within (gap, i] (cyclically)
            boolean homeAfterGap = gap <= i ? home > gap && home <= i : home > gap || home <= i;
            if (!homeAfterGap) {
                keys[gap] = keys[i];
                moveValue(i, gap);
                gap = i;
            }
        }
        keys[gap] = 0;
        clearValue(gap);
        size--;
    }

    /** Entries in the slots (key 0's entry not included). */
    final int slotsUsed() {
        return size;
    }

    final int capacity() {
        return keys.length;
    }

    /** The key in {@code slot}, 0 when the slot is empty. */
    final long keyAt(int slot) {
        return keys[slot];
    }

    final void clearSlots() {
        Arrays.fill(keys, 0);
        size = 0;
    }

    /** A new, empty value array of {@code capacity}; returns the old one (for {@link #copyValue}). */
    abstract Object replaceValues(int capacity);

    /** Sets the value of slot {@code to} from slot {@code from} of {@code oldValues}, as {@link #replaceValues} returned it. */
    abstract void copyValue(Object oldValues, int from, int to);

    abstract void moveValue(int from, int to);

    abstract void clearValue(int slot);

    private int home(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        Object oldValues = allocate(keys.length * 2);
        for (int from = 0; from < oldKeys.length; from++) {
            long key = oldKeys[from];
            if (key != 0) {
                int to = home(key);
                while (keys[to] != 0) {
                    to = (to + 1) & mask;
                }
                keys[to] = key;
                copyValue(oldValues, from, to);
            }
        }
    }

    private Object allocate(int capacity) {
        keys = new long[capacity];
        mask = capacity - 1;
        resizeAt = (int) (capacity * MAX_LOAD);
        return replaceValues(capacity);
    }
}

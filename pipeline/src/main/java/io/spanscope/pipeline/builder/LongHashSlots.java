package io.spanscope.pipeline.builder;

import java.util.Arrays;

/**
 * The key side of the maps keyed by {@code long} (span ids, batch ids): open addressing with linear probing
 * over a {@code long[]}, so a lookup compares keys in place instead of following a boxed {@code Long} and a
 * node per entry (profiled: those dereferences, and tree bins from span ids that collide under
 * {@code Long.hashCode}, were a visible share of the stream thread). Keys are mixed before use; removal shifts
 * later entries back, so there are no tombstones. Key 0 marks an empty slot: subclasses keep its entry apart.
 * A {@code long} value may live in the slot beside its key ({@link #table}, two longs per slot): a map of a
 * million spans is far larger than the caches, and a lookup that finds key and value on one cache line
 * misses once instead of twice. Other values live in an array of the subclass's own, parallel to the slots.
 * Not thread-safe.
 */
abstract class LongHashSlots {

    private static final float MAX_LOAD = 0.6f;

    /** The slots: the key at {@code slot << shift}, then the inline value when there is one. */
    long[] table;
    /** 0: keys only; 1: key and inline value. */
    private final int shift;
    private int mask;
    private int size;
    private int resizeAt;

    /** @param inlineValue whether each slot keeps a {@code long} value beside its key */
    LongHashSlots(boolean inlineValue) {
        this.shift = inlineValue ? 1 : 0;
    }

    /** Called once by the subclass's constructor, after its own fields are set. */
    final void allocateSlots() {
        allocate(64);
    }

    /** Index in {@link #table} of {@code slot}'s inline value (for a map made with one). */
    static int valueIndex(int slot) {
        return (slot << 1) + 1;
    }

    /** Slot of {@code key} (not 0), or -1. */
    final int slotOf(long key) {
        for (int i = home(key); ; i = (i + 1) & mask) {
            long k = table[i << shift];
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
            long k = table[i << shift];
            if (k == key) {
                return i;
            }
            if (k == 0) {
                if (size + 1 >= resizeAt) {
                    grow();
                    return slotForInsert(key);
                }
                table[i << shift] = key;
                size++;
                return -(i + 1);
            }
        }
    }

    /** Empties {@code slot} and moves back every later entry of its run that may not stay behind it. */
    final void removeAt(int slot) {
        int gap = slot;
        for (int i = (gap + 1) & mask; table[i << shift] != 0; i = (i + 1) & mask) {
            int home = home(table[i << shift]);
            // the entry at i may fill the gap if its home is not within (gap, i] (cyclically)
            boolean homeAfterGap = gap <= i ? home > gap && home <= i : home > gap || home <= i;
            if (!homeAfterGap) {
                copySlot(table, i, gap);
                moveValue(i, gap);
                gap = i;
            }
        }
        table[gap << shift] = 0;
        clearValue(gap);
        size--;
    }

    /** Entries in the slots (key 0's entry not included). */
    final int slotsUsed() {
        return size;
    }

    final int capacity() {
        return mask + 1;
    }

    /** The key in {@code slot}, 0 when the slot is empty. */
    final long keyAt(int slot) {
        return table[slot << shift];
    }

    final void clearSlots() {
        Arrays.fill(table, 0);
        size = 0;
    }

    /**
     * A new, empty array of {@code capacity} values kept apart from the slots; returns the old one (for
     * {@link #copyValue}). Inline values need none: null.
     */
    abstract Object replaceValues(int capacity);

    /** Sets the value of slot {@code to} from slot {@code from} of {@code oldValues}, as {@link #replaceValues} returned it. */
    abstract void copyValue(Object oldValues, int from, int to);

    /** Moves a value kept apart (an inline value moves with its key). */
    abstract void moveValue(int from, int to);

    abstract void clearValue(int slot);

    private int home(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] oldTable = table;
        int oldCapacity = capacity();
        Object oldValues = allocate(oldCapacity * 2);
        for (int from = 0; from < oldCapacity; from++) {
            long key = oldTable[from << shift];
            if (key != 0) {
                int to = home(key);
                while (table[to << shift] != 0) {
                    to = (to + 1) & mask;
                }
                copySlot(oldTable, from, to);
                copyValue(oldValues, from, to);
            }
        }
    }

    /** Copies the key (and inline value) of slot {@code from} of {@code source} to slot {@code to}. */
    private void copySlot(long[] source, int from, int to) {
        table[to << shift] = source[from << shift];
        if (shift == 1) {
            table[valueIndex(to)] = source[valueIndex(from)];
        }
    }

    private Object allocate(int capacity) {
        table = new long[capacity << shift];
        mask = capacity - 1;
        resizeAt = (int) (capacity * MAX_LOAD);
        return replaceValues(capacity);
    }
}

package io.spanscope.pipeline.builder;

import java.util.Arrays;

/**
 * A reusable, growing list of {@code (long, long)} pairs in one {@code long[]}: no object per pair on the
 * paths that gather them for every announcement batch. Not thread-safe.
 */
final class LongPairs {

    private long[] longs = new long[64];
    private int length;

    void clear() {
        length = 0;
    }

    void add(long first, long second) {
        if (length + 2 > longs.length) {
            longs = Arrays.copyOf(longs, longs.length * 2);
        }
        longs[length++] = first;
        longs[length++] = second;
    }

    int size() {
        return length / 2;
    }

    long first(int pair) {
        return longs[2 * pair];
    }

    long second(int pair) {
        return longs[2 * pair + 1];
    }

    /** The pairs as a new array: first, second, first, second, … */
    long[] toArray() {
        return Arrays.copyOf(longs, length);
    }
}

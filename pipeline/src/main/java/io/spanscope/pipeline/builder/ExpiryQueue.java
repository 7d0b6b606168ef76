package io.spanscope.pipeline.builder;

import java.util.Arrays;

/**
 * (instant, id) pairs in the order they were added, which is instant order as long as every instant is
 * "now + a fixed delay" (retentions and wait deadlines): the expiry index of a state store, kept on the
 * heap instead of in a second store because it can be rebuilt from the store itself. An id added twice is
 * left in twice; the owner checks each polled pair against its store. Two growing long arrays used as a
 * ring, no object per entry.
 */
final class ExpiryQueue {

    private long[] instants = new long[1024];
    private long[] ids = new long[1024];
    private int head;
    private int size;

    void add(long instantNs, long id) {
        if (size == instants.length) {
            grow();
        }
        int tail = (head + size) & (instants.length - 1);
        instants[tail] = instantNs;
        ids[tail] = id;
        size++;
    }

    boolean isEmpty() {
        return size == 0;
    }

    long peekInstant() {
        return instants[head];
    }

    long peekId() {
        return ids[head];
    }

    void remove() {
        head = (head + 1) & (instants.length - 1);
        size--;
    }

    int size() {
        return size;
    }

    /** Sorts the pairs by instant (after a rebuild from a store, whose order is by id). */
    void sort() {
        long[][] pairs = new long[size][];
        for (int i = 0; i < size; i++) {
            int at = (head + i) & (instants.length - 1);
            pairs[i] = new long[] {instants[at], ids[at]};
        }
        Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
        head = 0;
        for (int i = 0; i < size; i++) {
            instants[i] = pairs[i][0];
            ids[i] = pairs[i][1];
        }
    }

    private void grow() {
        long[] newInstants = new long[instants.length * 2];
        long[] newIds = new long[ids.length * 2];
        for (int i = 0; i < size; i++) {
            int at = (head + i) & (instants.length - 1);
            newInstants[i] = instants[at];
            newIds[i] = ids[at];
        }
        instants = newInstants;
        ids = newIds;
        head = 0;
    }
}

package io.spanscope.parsers;

/**
 * What the capture put on the first chunks of a server connection's recent responses about the thread that
 * wrote them: when a client thread last woke it (see {@code Record#clientWokenNs()}), so that a record can take
 * the value of the chunk at its response's first byte. A small ring (newest entries win): only chunks that
 * carried a value are noted, the later chunks of one write (which repeat it) once. Not thread-safe; owned by
 * one {@link TrackedConnection}.
 */
final class ResponseWakeups {

    static final int CAPACITY = 16;

    private final int[] firstSequence = new int[CAPACITY];
    private final long[] wokenNs = new long[CAPACITY];
    private int next;
    private int size;

    /** The response chunk starting at {@code tcpSequence} says its thread was last woken at {@code atNs}. */
    void note(int tcpSequence, long atNs) {
        if (size > 0 && wokenNs[(next + CAPACITY - 1) % CAPACITY] == atNs) {
            return; // a later chunk of the same write
        }
        firstSequence[next] = tcpSequence;
        wokenNs[next] = atNs;
        next = (next + 1) % CAPACITY;
        size = Math.min(size + 1, CAPACITY);
    }

    /** The value noted for the response whose first byte is at {@code responseSequence} (unsigned 32 bit), or 0. */
    long find(long responseSequence) {
        if (responseSequence < 0) {
            return 0;
        }
        for (int i = 0; i < size; i++) {
            int at = (next + CAPACITY - 1 - i) % CAPACITY;
            if (firstSequence[at] == (int) responseSequence) {
                return wokenNs[at];
            }
        }
        return 0;
    }
}

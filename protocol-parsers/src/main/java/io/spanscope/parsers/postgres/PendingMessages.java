package io.spanscope.parsers.postgres;

/**
 * Frontend messages the backend has yet to answer, oldest first, each with the exchange it belongs to
 * (null for Sync, Close, Flush-free bookkeeping). A bounded ring: the backend answers in order, so the
 * head is always what the next backend message is about.
 */
final class PendingMessages {

    private final byte[] types;
    private final PgExchange[] owners;
    private int head;
    private int size;

    private final int mask;

    /** Holds at least {@code capacity} messages (rounded up to a power of two). */
    PendingMessages(int capacity) {
        int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
        types = new byte[size];
        owners = new PgExchange[size];
        mask = size - 1;
    }

    boolean isFull() {
        return size == types.length;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void add(byte type, PgExchange owner) {
        int i = (head + size) & mask;
        types[i] = type;
        owners[i] = owner;
        size++;
    }

    /** Type of the oldest message, 0 when none. */
    byte headType() {
        return size == 0 ? 0 : types[head];
    }

    PgExchange headOwner() {
        return size == 0 ? null : owners[head];
    }

    void pop() {
        if (size > 0) {
            owners[head] = null;
            head = (head + 1) & mask;
            size--;
        }
    }

    boolean references(PgExchange exchange) {
        for (int k = 0; k < size; k++) {
            if (owners[(head + k) & mask] == exchange) {
                return true;
            }
        }
        return false;
    }

    int size() {
        return size;
    }

    void clear() {
        while (size > 0) {
            pop();
        }
    }
}

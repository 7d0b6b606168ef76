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

    PendingMessages(int capacity) {
        types = new byte[capacity];
        owners = new PgExchange[capacity];
    }

    boolean isFull() {
        return size == types.length;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void add(byte type, PgExchange owner) {
        int i = (head + size) % types.length;
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
            head = (head + 1) % types.length;
            size--;
        }
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

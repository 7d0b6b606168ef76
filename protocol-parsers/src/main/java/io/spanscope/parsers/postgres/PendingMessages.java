package io.spanscope.parsers.postgres;

/**
 * Frontend messages the backend has yet to answer, oldest first, each with the exchange it belongs to
 * (null for Sync, Close, Flush-free bookkeeping). A bounded ring: the backend answers in order, so the
 * head is always what the next backend message is about. Owners are held by number
 * ({@link PgExchanges}): an int store costs no garbage-collector barrier.
 */
final class PendingMessages {

    private final PgExchanges exchanges;
    private final byte[] types;
    /** The owner's id plus one; 0 for none. */
    private final int[] owners;
    private int head;
    private int size;

    private final int mask;

    /** Holds at least {@code capacity} messages (rounded up to a power of two). */
    PendingMessages(int capacity, PgExchanges exchanges) {
        this.exchanges = exchanges;
        int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
        types = new byte[size];
        owners = new int[size];
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
        owners[i] = owner == null ? 0 : owner.id + 1;
        size++;
    }

    /** Type of the oldest message, 0 when none. */
    byte headType() {
        return size == 0 ? 0 : types[head];
    }

    PgExchange headOwner() {
        int owner = size == 0 ? 0 : owners[head];
        return owner == 0 ? null : exchanges.get(owner - 1);
    }

    void pop() {
        if (size > 0) {
            head = (head + 1) & mask;
            size--;
        }
    }

    boolean references(PgExchange exchange) {
        for (int k = 0; k < size; k++) {
            if (owners[(head + k) & mask] == exchange.id + 1) {
                return true;
            }
        }
        return false;
    }

    /** Marks the owners of every queued message in {@code live} (indexed by id). */
    void markOwners(boolean[] live) {
        for (int k = 0; k < size; k++) {
            int owner = owners[(head + k) & mask];
            if (owner != 0) {
                live[owner - 1] = true;
            }
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

package io.spanscope.parsers.stream;

/**
 * Bytes all stream buffers of one tracker may hold together. Single-threaded like the tracker that
 * owns it; other threads may read the gauges and see slightly stale values.
 */
public final class MemoryBudget {

    private final long limit;
    private long used;
    private long peak;

    public MemoryBudget(long limit) {
        this.limit = limit;
    }

    /** Reserves {@code bytes} if they fit under the limit. */
    public boolean tryReserve(long bytes) {
        if (used + bytes > limit) {
            return false;
        }
        used += bytes;
        if (used > peak) {
            peak = used;
        }
        return true;
    }

    public void release(long bytes) {
        used -= bytes;
    }

    public long limit() {
        return limit;
    }

    public long used() {
        return used;
    }

    public long peak() {
        return peak;
    }
}

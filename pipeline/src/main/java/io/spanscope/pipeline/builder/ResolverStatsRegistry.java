package io.spanscope.pipeline.builder;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Collects the counters of every partition task of this instance. Each task publishes a snapshot of its
 * own (on every punctuation and when it closes); a closed task's counters are kept in the total, so
 * counters never go back when partitions move. Thread-safe.
 */
public final class ResolverStatsRegistry {

    private final ConcurrentHashMap<Object, ResolverCounters> live = new ConcurrentHashMap<>();
    private ResolverCounters retired = ResolverCounters.ZERO;

    void publish(Object task, ResolverCounters counters) {
        live.put(task, counters);
    }

    synchronized void retire(Object task, ResolverCounters last) {
        live.remove(task);
        retired = retired.plus(last.withoutGauges());
    }

    public synchronized ResolverCounters total() {
        ResolverCounters sum = retired;
        for (ResolverCounters c : live.values()) {
            sum = sum.plus(c);
        }
        return sum;
    }
}

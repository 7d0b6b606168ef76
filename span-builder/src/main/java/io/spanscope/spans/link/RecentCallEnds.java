package io.spanscope.spans.link;

import io.spanscope.spans.ExchangeSpan;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every process's recent client calls ordered by their end, for "which calls ended between two instants".
 * A call is kept for {@code windowNs} after its end (judged against the latest end seen in its process) and at
 * most {@link #CALLS_PER_PROCESS} per process, the earliest-ending forgotten first. Single-threaded, like the
 * linker.
 */
final class RecentCallEnds {

    static final int CALLS_PER_PROCESS = 100_000;

    private final long windowNs;
    private final Map<Integer, TreeMap<CallEnd, ExchangeSpan>> byProcess = new HashMap<>();

    RecentCallEnds(long windowNs) {
        this.windowNs = windowNs;
    }

    void record(ExchangeSpan call) {
        TreeMap<CallEnd, ExchangeSpan> calls = byProcess.computeIfAbsent(call.tgid(), t -> new TreeMap<>());
        calls.put(new CallEnd(call.endNs(), call.spanId()), call);
        long horizon = calls.lastKey().endNs() - windowNs;
        while (calls.size() > CALLS_PER_PROCESS || calls.firstKey().endNs() < horizon) {
            calls.pollFirstEntry();
        }
    }

    /** The calls of {@code tgid} that ended after {@code afterNs} and no later than {@code untilNs}. */
    Collection<ExchangeSpan> endedBetween(int tgid, long afterNs, long untilNs) {
        TreeMap<CallEnd, ExchangeSpan> calls = byProcess.get(tgid);
        if (calls == null || untilNs <= afterNs) {
            return List.of();
        }
        return calls.subMap(new CallEnd(afterNs, Long.MAX_VALUE), false, new CallEnd(untilNs, Long.MAX_VALUE), true)
                .values();
    }

    int size() {
        int n = 0;
        for (TreeMap<CallEnd, ExchangeSpan> calls : byProcess.values()) {
            n += calls.size();
        }
        return n;
    }

    /** Ordered by end, then span id (unsigned order does not matter, only that it is total). */
    private record CallEnd(long endNs, long spanId) implements Comparable<CallEnd> {
        @Override
        public int compareTo(CallEnd o) {
            int byEnd = Long.compare(endNs, o.endNs);
            return byEnd != 0 ? byEnd : Long.compare(spanId, o.spanId);
        }
    }
}

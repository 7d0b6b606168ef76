package io.spanscope.spans.link;

import io.spanscope.spans.ExchangeSpan;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The recent client calls of each thread, for two checks. First, it recognises threads that write the calls of
 * several requests at once (an HTTP client's selector or worker
 * threads, an event loop, an HTTP/2 client): a thread with two of its own calls in flight at the same time. Such a thread is
 * woken by one handler while others queue work for it without waking it, so a cause it inherited by a wakeup
 * may belong to another call than the one it writes next; the linker does not trust inherited causes on it.
 * A thread that calls and waits (a worker making calls one after another) never has two in flight.
 *
 * Second, it tells whether a thread made a call that ended inside a given interval ({@link #endedWithin}).
 *
 * <p>Once recognised, a thread stays a multiplexer (its role does not change), within a bounded memory of
 * {@link #REMEMBERED_THREADS} threads, least recently seen forgotten first. Recent calls are kept per thread
 * for {@link #windowNs} and at most {@link #CALLS_PER_THREAD} of them. Single-threaded, like the linker.
 */
final class CallingThreads {

    static final int REMEMBERED_THREADS = 65_536;
    static final int CALLS_PER_THREAD = 32;

    private final long windowNs;
    /** Recent calls per writer thread ((tgid, tid) as one long), newest last. */
    private final Map<Long, ArrayDeque<ExchangeSpan>> recentCalls = new HashMap<>();
    private final Map<Long, Boolean> multiplexers = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > REMEMBERED_THREADS;
        }
    };
    private long latestStartNs = Long.MIN_VALUE;
    private long nextSweepNs = Long.MIN_VALUE;

    /**
     * @param windowNs how long a call is remembered after it started: longer than the calls whose overlap
     *                 should be seen (calls longer than that may go unnoticed)
     */
    CallingThreads(long windowNs) {
        this.windowNs = windowNs;
    }

    /** Records a client call; returns whether it made its thread a multiplexer just now. */
    boolean record(ExchangeSpan call) {
        long thread = thread(call);
        latestStartNs = Math.max(latestStartNs, call.startNs());
        ArrayDeque<ExchangeSpan> calls = recentCalls.computeIfAbsent(thread, t -> new ArrayDeque<>());
        boolean overlaps = false;
        for (ExchangeSpan other : calls) {
            if (other != call && other.startNs() <= call.endNs() && call.startNs() <= other.endNs()) {
                overlaps = true;
                break;
            }
        }
        calls.addLast(call);
        if (calls.size() > CALLS_PER_THREAD) {
            calls.pollFirst();
        }
        if (latestStartNs >= nextSweepNs) {
            // a sweep over all threads now and then, not per call: memory stays bounded by the window
            forgetOldCalls();
            nextSweepNs = latestStartNs + windowNs / 4;
        }
        return overlaps && multiplexers.put(thread, Boolean.TRUE) == null;
    }

    /** Whether the thread that wrote {@code call} was ever seen with two calls in flight. */
    boolean isMultiplexer(ExchangeSpan call) {
        return multiplexers.get(thread(call)) != null;
    }

    /**
     * Whether thread {@code tid} of {@code tgid} made a call other than {@code except} that ended after
     * {@code fromNs} and no later than {@code toNs}.
     */
    boolean endedWithin(int tgid, int tid, ExchangeSpan except, long fromNs, long toNs) {
        ArrayDeque<ExchangeSpan> calls = recentCalls.get(((long) tgid << 32) | (tid & 0xffffffffL));
        if (calls == null) {
            return false;
        }
        for (ExchangeSpan other : calls) {
            if (other != except && other.endNs() > fromNs && other.endNs() <= toNs) {
                return true;
            }
        }
        return false;
    }

    int threadsWithRecentCalls() {
        return recentCalls.size();
    }

    private void forgetOldCalls() {
        long horizon = latestStartNs - windowNs;
        Iterator<ArrayDeque<ExchangeSpan>> it = recentCalls.values().iterator();
        while (it.hasNext()) {
            ArrayDeque<ExchangeSpan> calls = it.next();
            while (!calls.isEmpty() && calls.peekFirst().startNs() < horizon) {
                calls.pollFirst();
            }
            if (calls.isEmpty()) {
                it.remove();
            }
        }
    }

    private static long thread(ExchangeSpan call) {
        return ((long) call.tgid() << 32) | (call.requestTid() & 0xffffffffL);
    }
}

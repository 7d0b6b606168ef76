package io.spanscope.spans.resolve;

import io.spanscope.spans.link.Fragment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Resolver state in plain maps, for {@code spanscope run}. Known spans are kept in insertion order, which
 * is also expiry order, and the oldest is evicted (counted) when {@code maxKnownSpans} is reached; waiting
 * fragments expire in the order they started waiting. A fragment whose parent is a span of another waiting
 * fragment does not expire on its own: it is parked until that fragment is resolved (root, timeout or
 * drain) and releases it, so a chain that arrived child-first (the usual order: the innermost exchange
 * completes first) stays one trace when its root never comes. Single-threaded.
 */
public final class InMemoryResolverState implements ResolverState {

    private final long retentionNs;
    private final int maxKnownSpans;
    private final int maxWaitingFragments;
    private final LinkedHashMap<Long, Known> known = new LinkedHashMap<>();
    private final Map<Long, List<Waiter>> waitingByParent = new HashMap<>();
    private final ArrayDeque<Waiter> waitingByDeadline = new ArrayDeque<>();
    /** Every span of every waiting fragment, to tell whether a waiter's parent is itself still waiting. */
    private final Map<Long, Waiter> waitingSpans = new HashMap<>();
    /** Waiters past their deadline whose parent's fragment is still waiting. */
    private final LinkedHashSet<Waiter> parked = new LinkedHashSet<>();
    private int waiting;
    private long evicted;

    public InMemoryResolverState(long retentionNs, int maxKnownSpans, int maxWaitingFragments) {
        this.retentionNs = retentionNs;
        this.maxKnownSpans = maxKnownSpans;
        this.maxWaitingFragments = maxWaitingFragments;
    }

    @Override
    public KnownSpan lookup(long spanId) {
        Known k = known.get(spanId);
        return k == null ? null : k.span;
    }

    @Override
    public void remember(long spanId, KnownSpan span, long nowNs) {
        if (known.size() >= maxKnownSpans && !known.containsKey(spanId)) {
            Iterator<Known> eldest = known.values().iterator();
            eldest.next();
            eldest.remove();
            evicted++;
        }
        known.put(spanId, new Known(span, nowNs + retentionNs));
    }

    @Override
    public boolean await(long parentSpanId, Fragment fragment, long deadlineNs) {
        if (waiting >= maxWaitingFragments) {
            return false;
        }
        Waiter w = new Waiter(parentSpanId, fragment, deadlineNs);
        waitingByParent.computeIfAbsent(parentSpanId, id -> new ArrayList<>(1)).add(w);
        waitingByDeadline.addLast(w);
        waitingSpans.put(fragment.root().spanId(), w);
        fragment.children().forEach(child -> waitingSpans.put(child.spanId(), w));
        waiting++;
        return true;
    }

    @Override
    public List<Fragment> release(long parentSpanId) {
        List<Waiter> ws = waitingByParent.remove(parentSpanId);
        if (ws == null) {
            return List.of();
        }
        List<Fragment> out = new ArrayList<>(ws.size());
        for (Waiter w : ws) {
            w.done = true;
            waiting--;
            unindex(w);
            parked.remove(w);
            out.add(w.fragment);
        }
        return out;
    }

    @Override
    public void expire(long nowNs, Consumer<Fragment> timedOut) {
        Iterator<Known> it = known.values().iterator();
        while (it.hasNext() && it.next().expiresNs <= nowNs) {
            it.remove();
        }
        while (!waitingByDeadline.isEmpty() && waitingByDeadline.peekFirst().deadlineNs <= nowNs) {
            Waiter w = waitingByDeadline.pollFirst();
            if (w.done) {
                continue;
            }
            if (waitingSpans.containsKey(w.parentSpanId)) {
                parked.add(w);
            } else {
                take(w);
                timedOut.accept(w.fragment);
            }
        }
    }

    @Override
    public void drainWaiting(Consumer<Fragment> fragments) {
        while (!waitingByDeadline.isEmpty()) {
            Waiter w = waitingByDeadline.pollFirst();
            if (w.done) {
                continue;
            }
            if (waitingSpans.containsKey(w.parentSpanId)) {
                parked.add(w);
            } else {
                take(w);
                fragments.accept(w.fragment);
            }
        }
        // what no ancestor released: only fragments waiting on each other in a cycle (colliding ids)
        for (Waiter w : new ArrayList<>(parked)) {
            if (!w.done) {
                take(w);
                fragments.accept(w.fragment);
            }
        }
        parked.clear();
    }

    private void take(Waiter w) {
        w.done = true;
        waiting--;
        unindex(w);
        parked.remove(w);
        List<Waiter> siblings = waitingByParent.get(w.parentSpanId);
        if (siblings != null) {
            siblings.remove(w);
            if (siblings.isEmpty()) {
                waitingByParent.remove(w.parentSpanId);
            }
        }
    }

    private void unindex(Waiter w) {
        waitingSpans.remove(w.fragment.root().spanId(), w);
        w.fragment.children().forEach(child -> waitingSpans.remove(child.spanId(), w));
    }

    @Override
    public int knownSpans() {
        return known.size();
    }

    @Override
    public int waitingFragments() {
        return waiting;
    }

    @Override
    public long evictedKnownSpans() {
        return evicted;
    }

    private record Known(KnownSpan span, long expiresNs) {
    }

    private static final class Waiter {
        final long parentSpanId;
        final Fragment fragment;
        final long deadlineNs;
        boolean done;

        Waiter(long parentSpanId, Fragment fragment, long deadlineNs) {
            this.parentSpanId = parentSpanId;
            this.fragment = fragment;
            this.deadlineNs = deadlineNs;
        }
    }
}

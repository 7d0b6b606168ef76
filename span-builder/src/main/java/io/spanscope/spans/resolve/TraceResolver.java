package io.spanscope.spans.resolve;

import io.spanscope.capture.event.Endpoint;
import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.link.Fragment;
import java.util.ArrayDeque;
import java.util.function.Predicate;

/**
 * Gives every fragment its trace id. A fragment whose root has a parent takes the trace of the fragment
 * holding that parent; it waits for it when it has not been announced yet, and once resolved, each of its
 * spans is announced, which releases the fragments waiting on them. A fragment whose caller is outside the
 * traced set starts a trace at once; one whose parent never arrives starts a trace after
 * {@code parentWaitNs}.
 *
 * <p>Written once for two drivers. In a single process ({@code run}) announcements are delivered back at
 * once, so a whole chain resolves inside one {@link #onFragment} call. In the distributed span builder the
 * {@link SpanAnnouncer} writes them to the known-spans topic, and the partition task that owns the span
 * delivers them to its own resolver through {@link #onAnnouncement}: "announce P" and "release P's
 * waiters" then happen in different tasks. Single-threaded.
 */
public final class TraceResolver {

    private final ResolverState state;
    private final long parentWaitNs;
    private final Predicate<Endpoint> peerIsTraced;
    private final FragmentResolutionListener listener;
    private final SpanAnnouncer announcer;
    private final ArrayDeque<Pending> work = new ArrayDeque<>();
    private boolean draining;
    private long resolvedAtOnce;
    private long resolvedAfterWait;
    private long externalRoots;
    private long timedOutRoots;
    private long stateFullRoots;

    /**
     * A resolver whose announcements are delivered at once (single process).
     *
     * @param peerIsTraced whether a caller at this address would be traced (its fragment may still come);
     *                     false makes fragments called from there roots at once
     */
    public TraceResolver(ResolverState state, long parentWaitNs, Predicate<Endpoint> peerIsTraced,
                         ResolvedSpanListener listener) {
        this(state, parentWaitNs, peerIsTraced, new ResolvedSpans(listener), null);
    }

    /**
     * A resolver whose announcements go to {@code announcer} and come back through {@link #onAnnouncement}
     * (null: delivered at once).
     */
    public TraceResolver(ResolverState state, long parentWaitNs, Predicate<Endpoint> peerIsTraced,
                         FragmentResolutionListener listener, SpanAnnouncer announcer) {
        this.state = state;
        this.parentWaitNs = parentWaitNs;
        this.peerIsTraced = peerIsTraced;
        this.listener = listener;
        this.announcer = announcer != null ? announcer : this::onAnnouncement;
    }

    public void onFragment(Fragment fragment, long nowNs) {
        long parentId = fragment.rootParentSpanId();
        if (parentId == 0) {
            resolve(new Pending(fragment, TraceKey.rootedAt(fragment.root().spanId()), 0, null), nowNs);
            return;
        }
        KnownSpan parent = state.lookup(parentId);
        if (parent != null) {
            resolvedAtOnce++;
            resolve(new Pending(fragment, parent.trace(), parentId, callerOf(parent, fragment)), nowNs);
        } else if (fragment.rootParentIsRemote() && fragment.root().peer() != null
                && !peerIsTraced.test(fragment.root().peer())) {
            externalRoots++;
            resolve(rooted(fragment), nowNs);
        } else if (!state.await(parentId, fragment, nowNs + parentWaitNs)) {
            stateFullRoots++;
            resolve(rooted(fragment), nowNs);
        }
    }

    /**
     * Span {@code spanId} was resolved into {@code span.trace()}: remember it as a possible parent and resolve
     * the fragments waiting for it (transitively, as far as this state reaches).
     */
    public void onAnnouncement(long spanId, KnownSpan span, long nowNs) {
        state.remember(spanId, span, nowNs);
        for (Fragment waiting : state.release(spanId)) {
            resolvedAfterWait++;
            work.addLast(new Pending(waiting, span.trace(), spanId, callerOf(span, waiting)));
        }
        drain(nowNs);
    }

    /** Fragments whose wait is over become roots; old known spans are forgotten. */
    public void tick(long nowNs) {
        state.expire(nowNs, fragment -> {
            timedOutRoots++;
            resolve(rooted(fragment), nowNs);
        });
    }

    /** Capture stopped: everything waiting becomes a root now. */
    public void flush(long nowNs) {
        state.drainWaiting(fragment -> {
            timedOutRoots++;
            resolve(rooted(fragment), nowNs);
        });
    }

    public ResolverStats stats() {
        return new ResolverStats(resolvedAtOnce, resolvedAfterWait, externalRoots, timedOutRoots, stateFullRoots,
                state.waitingFragments(), state.knownSpans(), state.evictedKnownSpans());
    }

    private static Pending rooted(Fragment fragment) {
        return new Pending(fragment, TraceKey.rootedAt(fragment.root().spanId()), 0, null);
    }

    private static KnownSpan callerOf(KnownSpan parent, Fragment fragment) {
        return parent.client() && fragment.rootParentIsRemote() ? parent : null;
    }

    private void resolve(Pending first, long nowNs) {
        work.addLast(first);
        drain(nowNs);
    }

    /** Iterative, so a long chain released at once does not deepen the stack. */
    private void drain(long nowNs) {
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (!work.isEmpty()) {
                Pending p = work.pollFirst();
                listener.onResolved(p.fragment, p.trace, p.parentId, p.caller);
                announcer.announce(p.fragment.root().spanId(), ResolvedSpans.known(p.fragment.root(), p.trace), nowNs);
                for (ExchangeSpan child : p.fragment.children()) {
                    announcer.announce(child.spanId(), ResolvedSpans.known(child, p.trace), nowNs);
                }
            }
        } finally {
            draining = false;
        }
    }

    private record Pending(Fragment fragment, TraceKey trace, long parentId, KnownSpan caller) {
    }
}

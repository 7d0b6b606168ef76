package io.spanscope.spans.resolve;

import io.spanscope.capture.event.Endpoint;
import io.spanscope.spans.CapturedSpanData;
import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.link.Fragment;
import java.util.ArrayDeque;
import java.util.function.Predicate;

/**
 * Gives every fragment its trace id. A fragment whose root has a parent takes the trace of the fragment
 * holding that parent; it waits for it when it has not been published yet, and once resolved, its own
 * client spans release the fragments waiting on them. A fragment whose caller is outside the traced set
 * starts a trace at once; one whose parent never arrives starts a trace after
 * {@code parentWaitNs}. Written once against {@link ResolverState}: in-memory for {@code run}, a state
 * store for the distributed span builder. Single-threaded.
 */
public final class TraceResolver {

    private final ResolverState state;
    private final long parentWaitNs;
    private final Predicate<Endpoint> peerIsTraced;
    private final ResolvedSpanListener listener;
    private final ArrayDeque<Pending> work = new ArrayDeque<>();
    private long resolvedAtOnce;
    private long resolvedAfterWait;
    private long externalRoots;
    private long timedOutRoots;
    private long stateFullRoots;

    /**
     * @param peerIsTraced whether a caller at this address would be traced (its fragment may still come);
     *                     false makes fragments called from there roots at once
     */
    public TraceResolver(ResolverState state, long parentWaitNs, Predicate<Endpoint> peerIsTraced,
                         ResolvedSpanListener listener) {
        this.state = state;
        this.parentWaitNs = parentWaitNs;
        this.peerIsTraced = peerIsTraced;
        this.listener = listener;
    }

    public void onFragment(Fragment fragment, long nowNs) {
        long parentId = fragment.rootParentSpanId();
        if (parentId == 0) {
            resolve(fragment, TraceKey.rootedAt(fragment.root().spanId()), 0, nowNs);
            return;
        }
        KnownSpan parent = state.lookup(parentId);
        if (parent != null) {
            resolvedAtOnce++;
            if (parent.client() && fragment.rootParentIsRemote()) {
                listener.onEdge(parent, fragment.root());
            }
            resolve(fragment, parent.trace(), parentId, nowNs);
        } else if (fragment.rootParentIsRemote() && fragment.root().peer() != null
                && !peerIsTraced.test(fragment.root().peer())) {
            externalRoots++;
            resolve(fragment, TraceKey.rootedAt(fragment.root().spanId()), 0, nowNs);
        } else if (!state.await(parentId, fragment, nowNs + parentWaitNs)) {
            stateFullRoots++;
            resolve(fragment, TraceKey.rootedAt(fragment.root().spanId()), 0, nowNs);
        }
    }

    /** Fragments whose wait is over become roots; old known spans are forgotten. */
    public void tick(long nowNs) {
        state.expire(nowNs, fragment -> {
            timedOutRoots++;
            resolve(fragment, TraceKey.rootedAt(fragment.root().spanId()), 0, nowNs);
        });
    }

    /** Capture stopped: everything waiting becomes a root now. */
    public void flush(long nowNs) {
        state.drainWaiting(fragment -> {
            timedOutRoots++;
            resolve(fragment, TraceKey.rootedAt(fragment.root().spanId()), 0, nowNs);
        });
    }

    public ResolverStats stats() {
        return new ResolverStats(resolvedAtOnce, resolvedAfterWait, externalRoots, timedOutRoots, stateFullRoots,
                state.waitingFragments(), state.knownSpans(), state.evictedKnownSpans());
    }

    private void resolve(Fragment first, TraceKey trace, long parentId, long nowNs) {
        work.addLast(new Pending(first, trace, parentId));
        while (!work.isEmpty()) {
            Pending p = work.pollFirst();
            ExchangeSpan root = p.fragment.root();
            listener.onSpan(CapturedSpanData.of(root, p.trace.high(), p.trace.low(), p.parentId,
                    p.parentId != 0 && p.parentId == root.remoteParentSpanId()));
            publish(root, p.trace, nowNs);
            for (ExchangeSpan child : p.fragment.children()) {
                listener.onSpan(CapturedSpanData.of(child, p.trace.high(), p.trace.low(), root.spanId(), false));
                publish(child, p.trace, nowNs);
            }
        }
    }

    /** Remembers a span as a possible parent and queues the fragments that were waiting for it. */
    private void publish(ExchangeSpan span, TraceKey trace, long nowNs) {
        KnownSpan known = new KnownSpan(trace, span.service().serviceName(), span.durationNanos(), span.error(),
                !span.isServer());
        state.remember(span.spanId(), known, nowNs);
        for (Fragment waiting : state.release(span.spanId())) {
            resolvedAfterWait++;
            if (known.client() && waiting.rootParentIsRemote()) {
                listener.onEdge(known, waiting.root());
            }
            work.addLast(new Pending(waiting, trace, span.spanId()));
        }
    }

    private record Pending(Fragment fragment, TraceKey trace, long parentId) {
    }
}

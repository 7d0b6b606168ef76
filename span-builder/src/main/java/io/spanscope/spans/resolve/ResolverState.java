package io.spanscope.spans.resolve;

import io.spanscope.spans.link.Fragment;
import java.util.List;
import java.util.function.Consumer;

/**
 * The state the trace resolver keeps: published spans that may be parents, and fragments waiting for
 * theirs. Kept small so that an in-memory implementation (single process) and a Kafka Streams store
 * (distributed) can both back one resolver. Implementations bound what they hold and count what they evict.
 */
public interface ResolverState {

    /** A span published within the retention window, or null. */
    KnownSpan lookup(long spanId);

    void remember(long spanId, KnownSpan span, long nowNs);

    /**
     * Holds a fragment until its parent is published or {@code deadlineNs} passes.
     *
     * @return false when the state is full and the fragment was not held
     */
    boolean await(long parentSpanId, Fragment fragment, long deadlineNs);

    /** Removes and returns the fragments waiting for {@code parentSpanId} (empty when none). */
    List<Fragment> release(long parentSpanId);

    /** Forgets expired spans and hands over fragments whose wait is over. */
    void expire(long nowNs, Consumer<Fragment> timedOut);

    /** Everything still waiting, handed over and removed (capture stopped). */
    void drainWaiting(Consumer<Fragment> fragments);

    int knownSpans();

    int waitingFragments();

    /** Known spans evicted before their retention ended because the state was full. */
    long evictedKnownSpans();
}

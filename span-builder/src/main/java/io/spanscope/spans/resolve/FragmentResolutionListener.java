package io.spanscope.spans.resolve;

import io.spanscope.spans.link.Fragment;

/** Receives each fragment once its trace is decided: the whole decision, before it becomes spans. */
@FunctionalInterface
public interface FragmentResolutionListener {

    /**
     * @param rootParentSpanId the parent given to the fragment's root, 0 when it became a trace root
     * @param caller the client span that called the root's server exchange when both sides were traced
     *               (an edge of the service graph), else null
     */
    void onResolved(Fragment fragment, TraceKey trace, long rootParentSpanId, KnownSpan caller);
}

package io.spanscope.spans.resolve;

import io.spanscope.spans.CapturedSpanData;
import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.link.Fragment;

/**
 * Turns a resolved fragment into its spans: the root under the decided parent, every child under the root.
 * One place, so that {@code run} and the distributed span builder's exporter produce identical spans from
 * identical decisions.
 */
public final class ResolvedSpans implements FragmentResolutionListener {

    private final ResolvedSpanListener listener;

    public ResolvedSpans(ResolvedSpanListener listener) {
        this.listener = listener;
    }

    @Override
    public void onResolved(Fragment fragment, TraceKey trace, long rootParentSpanId, KnownSpan caller) {
        ExchangeSpan root = fragment.root();
        if (caller != null) {
            listener.onEdge(caller, root);
        }
        listener.onSpan(CapturedSpanData.of(root, trace.high(), trace.low(), rootParentSpanId,
                rootParentSpanId != 0 && rootParentSpanId == root.remoteParentSpanId()));
        for (ExchangeSpan child : fragment.children()) {
            listener.onSpan(CapturedSpanData.of(child, trace.high(), trace.low(), root.spanId(), false));
        }
    }

    /** What a span tells fragments that name it as their parent. */
    public static KnownSpan known(ExchangeSpan span, TraceKey trace) {
        return new KnownSpan(trace, span.service().serviceName(), span.durationNanos(), span.error(),
                !span.isServer());
    }
}

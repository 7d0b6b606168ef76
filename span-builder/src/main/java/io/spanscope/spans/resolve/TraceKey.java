package io.spanscope.spans.resolve;

import io.spanscope.spans.ids.SpanIds;

/** A 128-bit trace id. */
public record TraceKey(long high, long low) {

    /** The trace that a fragment with no known caller starts: derived from its root, so replays agree. */
    public static TraceKey rootedAt(long rootSpanId) {
        return new TraceKey(SpanIds.traceHigh(rootSpanId), SpanIds.traceLow(rootSpanId));
    }
}

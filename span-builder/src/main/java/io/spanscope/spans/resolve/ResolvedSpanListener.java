package io.spanscope.spans.resolve;

import io.spanscope.spans.CapturedSpanData;
import io.spanscope.spans.ExchangeSpan;

/** Receives spans once their trace is known, and the client → server edges the resolution revealed. */
public interface ResolvedSpanListener {

    void onSpan(CapturedSpanData span);

    /** A server exchange was matched with the client span that called it (both sides traced). */
    default void onEdge(KnownSpan client, ExchangeSpan server) {
    }
}

package io.spanscope.spans.metrics;

import io.spanscope.spans.CapturedSpanData;
import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.resolve.KnownSpan;
import io.spanscope.spans.resolve.ResolvedSpanListener;

/** Feeds resolved spans into the RED and service-graph metrics. */
public final class MetricsListener implements ResolvedSpanListener {

    private final SpanMetrics red;
    private final ServiceGraphMetrics graph;

    public MetricsListener(SpanMetrics red, ServiceGraphMetrics graph) {
        this.red = red;
        this.graph = graph;
    }

    @Override
    public void onSpan(CapturedSpanData span) {
        red.record(span.exchange());
        graph.recordSetup(span.exchange());
    }

    @Override
    public void onEdge(KnownSpan client, ExchangeSpan server) {
        graph.recordEdge(client, server);
    }
}

package io.spanscope.spans.metrics;

import io.opentelemetry.api.trace.SpanKind;
import io.spanscope.spans.ExchangeSpan;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * RED metrics per service, operation, span kind and status, named and labelled as the OpenTelemetry
 * Collector's spanmetrics connector writes them, which is what Jaeger's Monitor tab queries through
 * Prometheus: {@code traces_span_metrics_calls_total} and {@code traces_span_metrics_duration_milliseconds}
 * with labels {@code service_name}, {@code span_name}, {@code span_kind}, {@code status_code}. The number of
 * series is bounded; spans beyond it are counted, not recorded.
 */
public final class SpanMetrics implements MetricsSource {

    /** The connector's default buckets, in milliseconds. */
    static final double[] DURATION_BUCKETS_MS = {2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000,
            10_000, 15_000};

    private final int maxSeries;
    private final Map<Series, Histogram> series = new ConcurrentHashMap<>();
    private final AtomicLong overflow = new AtomicLong();

    public SpanMetrics(int maxSeries) {
        this.maxSeries = maxSeries;
    }

    public void record(ExchangeSpan span) {
        Series key = new Series(span.service().serviceName(), span.name(), span.kind(), span.error());
        Histogram h = series.get(key);
        if (h == null) {
            if (series.size() >= maxSeries) {
                overflow.incrementAndGet();
                return;
            }
            h = series.computeIfAbsent(key, k -> new Histogram(DURATION_BUCKETS_MS));
        }
        h.record(span.durationNanos() / 1e6);
    }

    /** Every series and its duration histogram (milliseconds). */
    public void forEach(BiConsumer<Series, Histogram> action) {
        series.forEach(action);
    }

    public long overflow() {
        return overflow.get();
    }

    @Override
    public void writeTo(PrometheusWriter w) {
        w.family("traces_span_metrics_calls_total", "counter", "Spans per service, operation, kind and status.");
        series.forEach((k, h) -> w.sample("traces_span_metrics_calls_total", h.count(), k.labels()));
        w.family("traces_span_metrics_duration_milliseconds", "histogram", "Span durations in milliseconds.");
        series.forEach((k, h) -> w.histogram("traces_span_metrics_duration_milliseconds", h, k.labels()));
        w.family("spanscope_span_metrics_series_overflow_total", "counter",
                "Spans not recorded in RED metrics because the series limit was reached.");
        w.sample("spanscope_span_metrics_series_overflow_total", overflow.get());
    }

    /** One RED series. */
    public record Series(String service, String spanName, SpanKind kind, boolean error) {

        String[] labels() {
            return new String[] {"service_name", service, "span_name", spanName, "span_kind", "SPAN_KIND_" + kind.name(),
                    "status_code", error ? "STATUS_CODE_ERROR" : "STATUS_CODE_UNSET"};
        }
    }
}

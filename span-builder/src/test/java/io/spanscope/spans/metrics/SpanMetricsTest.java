package io.spanscope.spans.metrics;

import static io.spanscope.spans.TestExchanges.clientRecord;
import static io.spanscope.spans.TestExchanges.httpGet;
import static io.spanscope.spans.TestExchanges.serverRecord;
import static io.spanscope.spans.TestExchanges.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.spans.ExchangeSpan;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpanMetricsTest {

    private static ExchangeSpan get(String route, long status, long durationNs) {
        return span(serverRecord(2, 2, 1_000_000, 1_000_000 + durationNs, 1, 2).attributes(httpGet(route, status)),
                "frontend");
    }

    @Test
    void spansAreCountedPerServiceOperationKindAndStatus() {
        SpanMetrics metrics = new SpanMetrics(100);
        metrics.record(get("/a", 200, 3_000_000));
        metrics.record(get("/a", 200, 30_000_000));
        metrics.record(get("/a", 500, 1_000_000));
        metrics.record(span(clientRecord(2, 2, 0, 5_000_000, 3, 4), "frontend"));

        Map<SpanMetrics.Series, Long> counts = new HashMap<>();
        metrics.forEach((series, h) -> counts.put(series, h.count()));
        assertThat(counts).hasSize(3);
        String text = write(metrics);
        assertThat(text).contains("traces_span_metrics_calls_total{service_name=\"frontend\",span_name=\"GET /a\","
                + "span_kind=\"SPAN_KIND_SERVER\",status_code=\"STATUS_CODE_UNSET\"} 2\n");
        assertThat(text).contains("traces_span_metrics_calls_total{service_name=\"frontend\",span_name=\"GET /a\","
                + "span_kind=\"SPAN_KIND_SERVER\",status_code=\"STATUS_CODE_ERROR\"} 1\n");
        assertThat(text).contains("span_kind=\"SPAN_KIND_CLIENT\"");
        // durations in milliseconds: 3 ms falls at or below 4, 30 ms at or below 50
        assertThat(text).contains("traces_span_metrics_duration_milliseconds_bucket{service_name=\"frontend\","
                + "span_name=\"GET /a\",span_kind=\"SPAN_KIND_SERVER\",status_code=\"STATUS_CODE_UNSET\",le=\"2\"} 0\n");
        assertThat(text).contains("status_code=\"STATUS_CODE_UNSET\",le=\"4\"} 1\n");
        assertThat(text).contains("status_code=\"STATUS_CODE_UNSET\",le=\"50\"} 2\n");
        assertThat(text).contains("traces_span_metrics_duration_milliseconds_sum{service_name=\"frontend\","
                + "span_name=\"GET /a\",span_kind=\"SPAN_KIND_SERVER\",status_code=\"STATUS_CODE_UNSET\"} 33\n");
        assertThat(text).contains("spanscope_span_metrics_series_overflow_total 0\n");
    }

    @Test
    void seriesBeyondTheLimitAreCountedNotRecorded() {
        SpanMetrics metrics = new SpanMetrics(2);
        metrics.record(get("/a", 200, 1_000_000));
        metrics.record(get("/b", 200, 1_000_000));
        metrics.record(get("/c", 200, 1_000_000));
        metrics.record(get("/d", 200, 1_000_000));
        metrics.record(get("/a", 200, 1_000_000)); // an existing series still records

        assertThat(metrics.overflow()).isEqualTo(2);
        String text = write(metrics);
        assertThat(text).doesNotContain("GET /c").doesNotContain("GET /d");
        assertThat(text).contains("span_name=\"GET /a\",span_kind=\"SPAN_KIND_SERVER\","
                + "status_code=\"STATUS_CODE_UNSET\"} 2\n");
        assertThat(text).contains("spanscope_span_metrics_series_overflow_total 2\n");
    }

    private static String write(MetricsSource source) {
        PrometheusWriter w = new PrometheusWriter();
        source.writeTo(w);
        return w.toString();
    }
}

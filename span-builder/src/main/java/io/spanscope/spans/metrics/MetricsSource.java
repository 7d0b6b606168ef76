package io.spanscope.spans.metrics;

/** Something that contributes metric families to a Prometheus scrape. */
@FunctionalInterface
public interface MetricsSource {

    void writeTo(PrometheusWriter writer);
}

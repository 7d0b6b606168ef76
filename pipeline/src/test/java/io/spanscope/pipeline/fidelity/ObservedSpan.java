package io.spanscope.pipeline.fidelity;

import java.util.Objects;

/**
 * One span as the fidelity harness compares it, whoever produced it (the OpenTelemetry agent or spanscope):
 * ids, service, kind and the HTTP path that carries the request id.
 *
 * @param parentSpanId null for a root
 * @param kind {@code SERVER}, {@code CLIENT}, {@code INTERNAL}, ...
 * @param path the request's URL path, null if the span is not an HTTP exchange
 */
public record ObservedSpan(String traceId, String spanId, String parentSpanId, String service, String kind,
        String path) {

    public ObservedSpan {
        Objects.requireNonNull(spanId, "spanId");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(kind, "kind");
    }

    /** An HTTP server or client exchange: what both sides can observe (the agent's INTERNAL spans are not). */
    public boolean isComparable() {
        return path != null && (kind.equals("SERVER") || kind.equals("CLIENT"));
    }

    /** What identifies the same exchange in both runs: service, kind and the path with the request id. */
    public Key key() {
        return new Key(service, kind, path);
    }

    public record Key(String service, String kind, String path) {
    }
}

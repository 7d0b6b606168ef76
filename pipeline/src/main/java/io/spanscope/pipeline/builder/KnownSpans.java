package io.spanscope.pipeline.builder;

import io.spanscope.pipeline.builder.proto.ResolvedSpan;
import io.spanscope.spans.resolve.KnownSpan;
import io.spanscope.spans.resolve.TraceKey;

/** {@link KnownSpan} ⇄ its {@code spanscope.v1.ResolvedSpan} message. */
final class KnownSpans {

    private KnownSpans() {
    }

    static ResolvedSpan toMessage(KnownSpan span) {
        return ResolvedSpan.newBuilder()
                .setTraceIdHigh(span.trace().high())
                .setTraceIdLow(span.trace().low())
                .setServiceName(span.serviceName() == null ? "" : span.serviceName())
                .setDurationNanos(span.durationNanos())
                .setError(span.error())
                .setClient(span.client())
                .build();
    }

    static KnownSpan fromMessage(ResolvedSpan m) {
        return new KnownSpan(new TraceKey(m.getTraceIdHigh(), m.getTraceIdLow()), m.getServiceName(),
                m.getDurationNanos(), m.getError(), m.getClient());
    }
}

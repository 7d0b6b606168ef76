package io.spanscope.spans;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.List;

/**
 * An exchange span whose trace is resolved, as the OpenTelemetry SDK's exporters take it: our own ids and
 * timestamps, not those of a live SDK span. Immutable.
 */
public final class CapturedSpanData implements SpanData {

    static final InstrumentationScopeInfo SCOPE = InstrumentationScopeInfo.builder("io.spanscope")
            .setVersion("0.1.0").build();

    private final ExchangeSpan span;
    private final SpanContext context;
    private final SpanContext parent;

    private CapturedSpanData(ExchangeSpan span, SpanContext context, SpanContext parent) {
        this.span = span;
        this.context = context;
        this.parent = parent;
    }

    /**
     * @param parentSpanId the resolved parent, {@link io.spanscope.spans.ids.SpanIds#INVALID} for a root
     * @param remoteParent whether the parent was recorded by another process
     */
    public static CapturedSpanData of(ExchangeSpan span, long traceIdHigh, long traceIdLow, long parentSpanId,
                                      boolean remoteParent) {
        String traceId = TraceId.fromLongs(traceIdHigh, traceIdLow);
        SpanContext context = SpanContext.create(traceId, SpanId.fromLong(span.spanId()), TraceFlags.getSampled(),
                TraceState.getDefault());
        SpanContext parent = parentSpanId == 0 ? SpanContext.getInvalid()
                : remoteParent
                ? SpanContext.createFromRemoteParent(traceId, SpanId.fromLong(parentSpanId), TraceFlags.getSampled(),
                        TraceState.getDefault())
                : SpanContext.create(traceId, SpanId.fromLong(parentSpanId), TraceFlags.getSampled(),
                        TraceState.getDefault());
        return new CapturedSpanData(span, context, parent);
    }

    /** The exchange span this was made from. */
    public ExchangeSpan exchange() {
        return span;
    }

    @Override
    public String getName() {
        return span.name();
    }

    @Override
    public SpanKind getKind() {
        return span.kind();
    }

    @Override
    public SpanContext getSpanContext() {
        return context;
    }

    @Override
    public SpanContext getParentSpanContext() {
        return parent;
    }

    @Override
    public StatusData getStatus() {
        return span.status();
    }

    @Override
    public long getStartEpochNanos() {
        return span.startEpochNanos();
    }

    @Override
    public Attributes getAttributes() {
        return span.attributes();
    }

    @Override
    public List<EventData> getEvents() {
        return List.of();
    }

    @Override
    public List<LinkData> getLinks() {
        return List.of();
    }

    @Override
    public long getEndEpochNanos() {
        return span.endEpochNanos();
    }

    @Override
    public boolean hasEnded() {
        return true;
    }

    @Override
    public int getTotalRecordedEvents() {
        return 0;
    }

    @Override
    public int getTotalRecordedLinks() {
        return 0;
    }

    @Override
    public int getTotalAttributeCount() {
        return span.attributes().size();
    }

    @Override
    @SuppressWarnings("deprecation")
    public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
        return InstrumentationLibraryInfo.create(SCOPE.getName(), SCOPE.getVersion());
    }

    @Override
    public InstrumentationScopeInfo getInstrumentationScopeInfo() {
        return SCOPE;
    }

    @Override
    public Resource getResource() {
        return span.service().resource();
    }

    @Override
    public String toString() {
        return "CapturedSpanData{" + context.getTraceId() + "/" + context.getSpanId() + " parent="
                + parent.getSpanId() + " " + span.kind() + " " + span.name() + " " + span.service().serviceName() + "}";
    }
}

package io.spanscope.spans.export;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** A backend that refuses the first {@code failures} export calls (forever when negative), then takes everything. */
final class FlakyExporter implements SpanExporter {

    private final boolean alwaysFails;
    private final AtomicInteger failuresLeft;
    private final List<SpanData> received = new ArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicBoolean shutDown = new AtomicBoolean();

    FlakyExporter(int failures) {
        this.alwaysFails = failures < 0;
        this.failuresLeft = new AtomicInteger(Math.max(0, failures));
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        calls.incrementAndGet();
        if (alwaysFails || failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return CompletableResultCode.ofFailure();
        }
        synchronized (received) {
            received.addAll(spans);
        }
        return CompletableResultCode.ofSuccess();
    }

    List<SpanData> received() {
        synchronized (received) {
            return new ArrayList<>(received);
        }
    }

    int calls() {
        return calls.get();
    }

    boolean isShutDown() {
        return shutDown.get();
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        shutDown.set(true);
        return CompletableResultCode.ofSuccess();
    }
}

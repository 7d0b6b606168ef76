package io.spanscope.spans;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.spans.service.ServiceIdentity;

/**
 * A span made from one exchange before its trace is known: its own id, its parent id when the parent is
 * the remote client span of the same exchange (server spans) or a local server span (client spans the
 * linker attached), and what linking needs (process, threads, times on the capture clock).
 *
 * @param spanId deterministic id (see {@link io.spanscope.spans.ids.SpanIds})
 * @param remoteParentSpanId server spans: the client span id both ends agree on, 0 when unlinkable
 * @param startNs request start on the capture source's clock (linking compares these)
 * @param endNs response end (or the last instant seen) on the capture source's clock
 * @param peer the other end of the connection
 * @param error whether the protocol outcome is an error (status ERROR)
 * @param connectionGeneration the exchange's connection generation (with {@code requestSequence}, how a
 *                             client call's cause names a server exchange)
 * @param requestSequence unsigned TCP sequence number of the request's first byte, -1 when unknown
 * @param causeGeneration client spans: connection generation of the server exchange the capture says caused
 *                        the call (followed across thread hand-offs), 0 when none
 * @param causeSequence client spans: request sequence number of that server exchange, -1 when none
 * @param responseSequence unsigned TCP sequence number of the response's first byte, -1 when unknown (with
 *                         {@code connectionGeneration}, how a server exchange's completed call names a client call)
 * @param completedCallGeneration server spans: connection generation of the client call of the same process
 *                                whose completion woke the thread that wrote the response (followed across
 *                                thread hand-offs: the call was made on this exchange's behalf), 0 when none
 * @param completedCallSequence server spans: response sequence number of that call, -1 when none
 * @param clientWokenNs server spans: when (monotonic ns, the clock of {@code startNs}) the thread that read the
 *                      request and wrote the response was last woken, while it served, by a client thread of its
 *                      process (one that has written requests or read responses on client connections); 0 when
 *                      no such wakeup is known
 */
public record ExchangeSpan(
        long spanId,
        long remoteParentSpanId,
        SpanKind kind,
        String name,
        long startEpochNanos,
        long endEpochNanos,
        Attributes attributes,
        StatusData status,
        ServiceIdentity service,
        int tgid,
        int requestTid,
        int responseTid,
        long startNs,
        long endNs,
        Endpoint peer,
        boolean error,
        long connectDurationNs,
        long acceptQueueWaitNs,
        long connectionGeneration,
        long requestSequence,
        long causeGeneration,
        long causeSequence,
        long responseSequence,
        long completedCallGeneration,
        long completedCallSequence,
        long clientWokenNs) {

    /** A span without a known client wakeup (decoded fragments: the wakeup matters only to local linking). */
    public ExchangeSpan(long spanId, long remoteParentSpanId, SpanKind kind, String name, long startEpochNanos,
                        long endEpochNanos, Attributes attributes, StatusData status, ServiceIdentity service, int tgid,
                        int requestTid, int responseTid, long startNs, long endNs, Endpoint peer, boolean error,
                        long connectDurationNs, long acceptQueueWaitNs, long connectionGeneration, long requestSequence,
                        long causeGeneration, long causeSequence, long responseSequence, long completedCallGeneration,
                        long completedCallSequence) {
        this(spanId, remoteParentSpanId, kind, name, startEpochNanos, endEpochNanos, attributes, status, service, tgid,
                requestTid, responseTid, startNs, endNs, peer, error, connectDurationNs, acceptQueueWaitNs,
                connectionGeneration, requestSequence, causeGeneration, causeSequence, responseSequence,
                completedCallGeneration, completedCallSequence, 0);
    }

    public boolean isServer() {
        return kind == SpanKind.SERVER;
    }

    public boolean hasCause() {
        return causeGeneration != 0;
    }

    public boolean hasCompletedCall() {
        return completedCallGeneration != 0;
    }

    public long durationNanos() {
        return endEpochNanos - startEpochNanos;
    }
}

package io.spanscope.spans.resolve;

/**
 * Where the resolver says "span P belongs to trace T". The fragments waiting for P are released when the
 * announcement is delivered back to {@link TraceResolver#onAnnouncement}: at once in a single process, or
 * later, by the partition task that owns P, in the distributed span builder (the known-spans topic).
 */
@FunctionalInterface
public interface SpanAnnouncer {

    void announce(long spanId, KnownSpan span, long nowNs);
}

package io.spanscope.spans.resolve;

/**
 * A published span that later fragments may name as their parent: its trace, and what the service graph
 * needs about the calling side of an edge.
 *
 * @param client whether it is a client span (a call another process may have served)
 */
public record KnownSpan(TraceKey trace, String serviceName, long durationNanos, boolean error, boolean client) {
}

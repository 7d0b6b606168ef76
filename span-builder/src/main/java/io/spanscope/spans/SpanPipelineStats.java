package io.spanscope.spans;

import io.spanscope.spans.link.LinkerStats;
import io.spanscope.spans.resolve.ResolverStats;

/**
 * Counters of the span pipeline.
 *
 * @param recordsIn records accepted from the parsers
 * @param recordsDropped records refused because the intake queue was full
 * @param intakeQueued records waiting in the intake queue now
 * @param spansOut spans handed to the listeners with their trace resolved
 * @param listenerFailures exceptions thrown by listeners (the span was still passed to the others)
 */
public record SpanPipelineStats(long recordsIn, long recordsDropped, long intakeQueued, long spansOut,
                                long listenerFailures, LinkerStats linker, ResolverStats resolver) {
}

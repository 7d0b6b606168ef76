package io.spanscope.spans;

import io.spanscope.spans.link.LinkerStats;
import io.spanscope.spans.resolve.ResolverStats;

/**
 * Counters of the span pipeline.
 *
 * @param recordsIn records accepted from the parsers
 * @param recordsDropped records refused because the intake queue was full
 * @param recordsSkipped records that are no operation of their own (interim stream reports, unanswered
 *                       driver bookkeeping commands), by design not spans
 * @param intakeQueued records waiting in the intake queue now
 * @param spansOut spans handed to the listeners with their trace resolved
 * @param buildFailures records whose span could not be built (a bug: counted, the pipeline goes on)
 * @param listenerFailures exceptions thrown by listeners (the span was still passed to the others)
 */
public record SpanPipelineStats(long recordsIn, long recordsDropped, long recordsSkipped, long intakeQueued,
                                long spansOut, long buildFailures, long listenerFailures, LinkerStats linker,
                                ResolverStats resolver) {
}

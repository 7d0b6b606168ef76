package io.spanscope.spans.export;

/**
 * @param exported spans the exporter accepted
 * @param droppedQueueFull spans refused because the export queue was full
 * @param droppedAtShutdown spans still queued when shutdown ran out of time
 * @param failedAttempts export calls that failed (each failed batch is retried)
 * @param queued spans waiting now
 * @param capacity the queue bound
 */
public record ExportStats(long exported, long droppedQueueFull, long droppedAtShutdown, long failedAttempts,
                          long queued, long capacity) {
}

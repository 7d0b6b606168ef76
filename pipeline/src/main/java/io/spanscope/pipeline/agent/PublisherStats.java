package io.spanscope.pipeline.agent;

/**
 * Counters of the agent's publish path, totals since start unless named as "now". At any instant
 * {@code recordsIn = sentRecords + failedRecords + droppedRecords + queuedRecords + inFlightRecords}
 * (the same for bytes), so every fragment's fate is accounted for.
 *
 * @param recordsIn         fragments encoded and accepted into the queue
 * @param droppedRecords    dropped because the queue was full (the oldest first) or left at shutdown
 * @param sentRecords       acknowledged by the brokers (acks=all)
 * @param failedRecords     given up by the producer after its retries
 * @param encodeFailures    fragments that could not be encoded (not in recordsIn)
 * @param queuedRecords     now waiting for the producer
 * @param inFlightRecords   now handed to the producer and not yet acknowledged
 */
public record PublisherStats(
        long recordsIn, long bytesIn,
        long droppedRecords, long droppedBytes,
        long sentRecords, long sentBytes,
        long failedRecords, long failedBytes,
        long encodeFailures,
        long queuedRecords, long queuedBytes,
        long inFlightRecords, long inFlightBytes,
        long capacityBytes) {
}

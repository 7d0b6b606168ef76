package io.spanscope.pipeline.builder;

/**
 * @param records resolved-fragment records read (each a batch of up to 32 fragments)
 * @param spans spans handed to the export queue and metrics
 * @param unreadableRecords records, or fragments within a record, that could not be read, skipped
 *                          (committed past)
 * @param commits offset commits made after the backend took everything before them
 * @param commitFailures commits refused (partitions moved meanwhile): those records are exported again by
 *                       their new owner
 * @param exportStalls waits of more than one second for the backend (it is slow or down; Kafka holds the rest)
 */
public record ExporterStats(long records, long spans, long unreadableRecords, long commits, long commitFailures,
                            long exportStalls) {
}

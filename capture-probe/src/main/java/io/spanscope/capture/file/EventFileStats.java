package io.spanscope.capture.file;

/**
 * What one replay of an event file delivered and what it could not.
 *
 * @param unknownRecordsSkipped well-framed records of a type this version does not know (skipped)
 * @param corruptRecords records whose length or fields are impossible; the read stops at the first one
 * @param truncatedTail the file ends inside a record (a recording that was not closed cleanly)
 */
public record EventFileStats(
        long opens,
        long established,
        long dataEvents,
        long closes,
        long payloadBytes,
        long unknownRecordsSkipped,
        long corruptRecords,
        boolean truncatedTail) {

    public long records() {
        return opens + established + dataEvents + closes + unknownRecordsSkipped;
    }
}

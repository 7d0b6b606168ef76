package io.spanscope.capture.event;

/**
 * Event timestamps are on the source's own clock: CLOCK_MONOTONIC for live capture (what
 * {@code bpf_ktime_get_ns()} and {@link System#nanoTime()} read on Linux), wall-clock nanoseconds for a
 * pcap file. The anchor converts them to wall-clock time.
 *
 * @param wallClockOffsetNs add to an event timestamp to get nanoseconds since the Unix epoch
 */
public record CaptureClock(long wallClockOffsetNs) {

    /** The clock of a source whose timestamps already are epoch nanoseconds. */
    public static final CaptureClock WALL = new CaptureClock(0);

    /** Anchors CLOCK_MONOTONIC to the wall clock now (sub-microsecond is not promised; milliseconds are). */
    public static CaptureClock monotonicAnchoredNow() {
        long before = System.nanoTime();
        java.time.Instant now = java.time.Instant.now();
        long after = System.nanoTime();
        long wallNs = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        return new CaptureClock(wallNs - (before + (after - before) / 2));
    }

    public long toEpochNanos(long eventTimestampNs) {
        return eventTimestampNs + wallClockOffsetNs;
    }
}

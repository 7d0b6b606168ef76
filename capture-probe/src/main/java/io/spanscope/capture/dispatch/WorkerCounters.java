package io.spanscope.capture.dispatch;

import java.util.concurrent.atomic.AtomicLongArray;

/** Counts of one worker's decoder; one writer (the worker), any number of readers. */
public final class WorkerCounters {

    static final int DATA = 0;
    static final int OPEN = 1;
    static final int CLOSE = 2;
    static final int ESTABLISHED = 3;
    static final int MALFORMED = 4;
    static final int CAPTURED_BYTES = 5;
    static final int SINK_FAILURES = 6;
    static final int TLS_DATA = 7;
    static final int MISSED_WAKEUPS = 8;
    private static final int COUNT = 9;

    private final AtomicLongArray values = new AtomicLongArray(COUNT);

    void add(int counter, long amount) {
        // single writer: a release store of the new value is enough for readers
        values.lazySet(counter, values.get(counter) + amount);
    }

    long get(int counter) {
        return values.get(counter);
    }

    public long dataEvents() {
        return get(DATA);
    }

    public long openEvents() {
        return get(OPEN);
    }

    public long closeEvents() {
        return get(CLOSE);
    }

    public long establishedEvents() {
        return get(ESTABLISHED);
    }

    /** Records too short or inconsistent to decode; skipped. */
    public long malformedRecords() {
        return get(MALFORMED);
    }

    public long capturedPayloadBytes() {
        return get(CAPTURED_BYTES);
    }

    /** Data events carrying TLS plaintext (a subset of {@link #dataEvents()}). */
    public long tlsDataEvents() {
        return get(TLS_DATA);
    }

    /**
     * Times this worker slept until its safety-net timeout with records already queued: a wake-up the
     * reader should have given and did not. Each costs at most the timeout of latency, not records;
     * it stays zero unless the reader's hand-off protocol is broken.
     */
    public long missedWakeups() {
        return get(MISSED_WAKEUPS);
    }

    /** Exceptions thrown by the sink; the event is lost for it but the worker keeps going. */
    public long sinkFailures() {
        return get(SINK_FAILURES);
    }
}

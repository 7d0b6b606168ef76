package io.spanscope.capture.dispatch;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One worker thread: drains its queue into its decoder (and so into its own sink). Never blocks the
 * producer. When its queue stays empty it spins briefly, then parks until the reader hands it a
 * record ({@link #wakeIfParked}). Parking until woken, rather than in ever longer timed naps, keeps
 * an idle worker off the CPU between the reader's bursts: each timed wake-up costs a few microseconds
 * of CPU, and under load the reader's bursts are milliseconds apart.
 */
final class DispatchWorker implements Runnable {

    private static final int BATCH = 256;
    /* longer than the gap between two records of one burst, so a worker does not park mid-burst */
    private static final long SPIN_NANOS = 50_000;
    /* only a safety net: the reader wakes a parked worker when it queues a record */
    private static final long MAX_PARK_NANOS = 10_000_000;

    private final SpscByteQueue queue;
    private final EventDecoder decoder;
    private final WorkerCounters counters;
    private volatile boolean running = true;
    private volatile boolean parked;
    private volatile Thread thread;

    DispatchWorker(SpscByteQueue queue, EventDecoder decoder, WorkerCounters counters) {
        this.queue = queue;
        this.decoder = decoder;
        this.counters = counters;
    }

    void stop() {
        running = false;
        wake();
    }

    /**
     * Called by the reader after it queued a record. A plain volatile read per record: the worker
     * publishes {@code parked} before its last look at the queue, so a record queued before that look
     * is seen by it, and one queued after finds the flag set. The reader's own store of the queue tail
     * may still pass this read; {@link #wakeIfParkedFenced} at the end of each drain covers that.
     */
    void wakeIfParked() {
        if (parked) {
            wake();
        }
    }

    /** As {@link #wakeIfParked}, after a full fence: once per reader drain. */
    void wakeIfParkedFenced() {
        VarHandle.fullFence();
        wakeIfParked();
    }

    private void wake() {
        parked = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        long idleSince = 0;
        while (running || !queue.isEmpty()) {
            if (queue.drain(decoder, BATCH) > 0) {
                idleSince = 0;
                continue;
            }
            long now = System.nanoTime();
            if (idleSince == 0) {
                idleSince = now;
            }
            if (now - idleSince < SPIN_NANOS) {
                Thread.onSpinWait();
                continue;
            }
            parked = true;
            VarHandle.fullFence(); // the flag is visible before the queue is looked at again
            if (queue.isEmpty() && running) {
                LockSupport.parkNanos(this, MAX_PARK_NANOS);
                if (parked && !queue.isEmpty()) {
                    // nobody cleared the flag: the timeout (or a spurious return) woke us, not the reader
                    counters.add(WorkerCounters.MISSED_WAKEUPS, 1);
                }
            }
            parked = false;
            idleSince = 0;
        }
    }
}

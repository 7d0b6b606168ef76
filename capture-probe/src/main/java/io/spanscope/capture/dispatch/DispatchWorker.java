package io.spanscope.capture.dispatch;

import java.util.concurrent.locks.LockSupport;

/**
 * One worker thread: drains its queue into its decoder (and so into its own sink). Never blocks the
 * producer; when idle it backs off from spinning to short parks.
 */
final class DispatchWorker implements Runnable {

    private static final int BATCH = 256;
    private static final int SPINS_BEFORE_PARK = 100;
    private static final long MAX_PARK_NANOS = 1_000_000;

    private final SpscByteQueue queue;
    private final EventDecoder decoder;
    private volatile boolean running = true;

    DispatchWorker(SpscByteQueue queue, EventDecoder decoder) {
        this.queue = queue;
        this.decoder = decoder;
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        int idle = 0;
        long park = 1_000;
        while (running || !queue.isEmpty()) {
            if (queue.drain(decoder, BATCH) > 0) {
                idle = 0;
                park = 1_000;
            } else if (++idle < SPINS_BEFORE_PARK) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(park);
                park = Math.min(park * 2, MAX_PARK_NANOS);
            }
        }
    }
}

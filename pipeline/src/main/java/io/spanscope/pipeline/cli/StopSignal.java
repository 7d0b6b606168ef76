package io.spanscope.pipeline.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How a long-running command ends: Ctrl-C or SIGTERM (seen through a shutdown hook, which stops the service
 * before the JVM exits) or its own decision, such as {@code --duration} running out. Either way the service is
 * stopped exactly once.
 */
final class StopSignal {

    private final CountDownLatch signalled = new CountDownLatch(1);
    private final Runnable stop;
    private final Thread hook;

    private StopSignal(Runnable stop) {
        this.stop = stop;
        this.hook = new Thread(() -> {
            signalled.countDown();
            stop.run();
        }, "spanscope-shutdown");
    }

    /** From now on a signal stops the service through {@code stop}. */
    static StopSignal install(Runnable stop) {
        StopSignal signal = new StopSignal(stop);
        Runtime.getRuntime().addShutdownHook(signal.hook);
        return signal;
    }

    /** Waits for a signal at most {@code nanos}; true once one came. */
    boolean await(long nanos) throws InterruptedException {
        return signalled.await(nanos, TimeUnit.NANOSECONDS);
    }

    /** Runs until a signal or until {@code duration} (null: no limit) ran out, then stops the service. */
    void runFor(Duration duration) throws InterruptedException {
        if (duration == null) {
            signalled.await();
        } else {
            await(duration.toNanos());
        }
        stop();
    }

    /** Stops the service now, unless a signal's hook does it. */
    void stop() {
        if (signalled.getCount() == 0) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shutdownStarted) {
            return; // a signal came meanwhile: the hook stops the service
        }
        stop.run();
    }
}

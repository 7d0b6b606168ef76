package io.spanscope.spans.export;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.spanscope.spans.CapturedSpanData;
import io.spanscope.spans.resolve.ResolvedSpanListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Batches spans to an OpenTelemetry {@link SpanExporter} from its own thread, behind a bounded queue.
 *
 * <p>Unlike the SDK's BatchSpanProcessor, a failed batch is not dropped: it is retried with exponential
 * backoff until the backend takes it, while new spans wait in the queue. So an outage shorter than what
 * the queue holds loses nothing; beyond the bound, new spans are refused and counted
 * ({@link ExportStats#droppedQueueFull()}). Producers never block.
 */
public final class SpanExportQueue implements ResolvedSpanListener, AutoCloseable {

    private final SpanExporter exporter;
    private final ArrayBlockingQueue<SpanData> queue;
    private final int maxBatch;
    private final long batchDelayNs;
    private final Duration exportTimeout;
    private final long maxBackoffNs;
    private final Thread thread;
    private final AtomicLong accepted = new AtomicLong();
    /** Spans up to this accepted count are awaited: a batch that holds them all goes without the batch delay. */
    private volatile long awaitedMark;
    private long taken;
    private final AtomicLong exported = new AtomicLong();
    private final AtomicLong droppedFull = new AtomicLong();
    private final AtomicLong droppedShutdown = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private volatile boolean stopping;
    private volatile long shutdownDeadlineNs = Long.MAX_VALUE;

    public SpanExportQueue(SpanExporter exporter, int capacity, int maxBatch, Duration batchDelay,
                           Duration exportTimeout, Duration maxBackoff) {
        this.exporter = exporter;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBatch = maxBatch;
        this.batchDelayNs = batchDelay.toNanos();
        this.exportTimeout = exportTimeout;
        this.maxBackoffNs = maxBackoff.toNanos();
        this.thread = new Thread(this::run, "spanscope-export");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    @Override
    public void onSpan(CapturedSpanData span) {
        offer(span);
    }

    public void offer(SpanData span) {
        if (stopping || !queue.offer(span)) {
            droppedFull.incrementAndGet();
        } else {
            accepted.incrementAndGet();
        }
    }

    /** Spans taken into the queue so far (a mark for {@link #awaitExported}). */
    public long accepted() {
        return accepted.get();
    }

    /**
     * Waits until the first {@code acceptedMark} accepted spans were exported (the queue is FIFO and a batch
     * counts as exported only once the backend took it), or the timeout passes. Lets a caller that reads
     * from a log (Kafka) commit its position only behind what the backend has.
     *
     * @return whether they were exported within the timeout
     */
    public boolean awaitExported(long acceptedMark, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (acceptedMark > awaitedMark) {
            awaitedMark = acceptedMark;
        }
        while (exported.get() < acceptedMark) {
            if (System.nanoTime() - deadline >= 0 || stopping && !thread.isAlive()) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(2);
        }
        return true;
    }

    public ExportStats stats() {
        return new ExportStats(exported.get(), droppedFull.get(), droppedShutdown.get(), failedAttempts.get(),
                queue.size(), queue.size() + queue.remainingCapacity());
    }

    /** Exports what is queued within {@code timeout}, counts the rest as dropped, shuts the exporter down. */
    public void shutdown(Duration timeout) {
        shutdownDeadlineNs = System.nanoTime() + timeout.toNanos();
        stopping = true;
        try {
            thread.join(Math.max(1, timeout.toMillis() + exportTimeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
        droppedShutdown.addAndGet(queue.size());
        queue.clear();
        exporter.shutdown().join(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(10));
    }

    private void run() {
        List<SpanData> batch = new ArrayList<>(maxBatch);
        while (!(stopping && queue.isEmpty())) {
            try {
                fill(batch);
            } catch (InterruptedException e) {
                break;
            }
            if (!batch.isEmpty() && !exportWithRetry(batch)) {
                break;
            }
            batch.clear();
        }
        droppedShutdown.addAndGet(batch.size());
    }

    /** Waits for a first span, then up to the batch delay for the batch to fill. */
    private void fill(List<SpanData> batch) throws InterruptedException {
        SpanData first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
            return;
        }
        batch.add(first);
        long takenBefore = taken;
        long deadline = System.nanoTime() + batchDelayNs;
        while (batch.size() < maxBatch && !stopping) {
            queue.drainTo(batch, maxBatch - batch.size());
            long left = deadline - System.nanoTime();
            long awaited = awaitedMark;
            if (batch.size() >= maxBatch || left <= 0 || awaited > takenBefore && takenBefore + batch.size() >= awaited) {
                break;
            }
            SpanData next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next != null) {
                batch.add(next);
            }
        }
        queue.drainTo(batch, maxBatch - batch.size());
        taken += batch.size();
    }

    /** @return false when shutdown's deadline passed before the batch was taken */
    private boolean exportWithRetry(List<SpanData> batch) {
        long backoffNs = TimeUnit.MILLISECONDS.toNanos(100);
        while (true) {
            CompletableResultCode result = exporter.export(batch);
            result.join(exportTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (result.isSuccess()) {
                exported.addAndGet(batch.size());
                return true;
            }
            failedAttempts.incrementAndGet();
            if (System.nanoTime() + backoffNs > shutdownDeadlineNs) {
                return false;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(backoffNs);
            } catch (InterruptedException e) {
                return false;
            }
            backoffNs = Math.min(maxBackoffNs, backoffNs * 2);
        }
    }
}

package io.spanscope.capture.dispatch;

import static io.spanscope.capture.ringbuf.EventLayout.*;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.ringbuf.RawRecordHandler;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * Runs on the ring-buffer reader thread: copies each record into the queue of the worker that owns
 * its connection ({@link ConnectionId#shardHash(int, int)}), so open, data and close of one
 * connection stay on one thread and in order. A full queue drops the record and counts it, unless
 * {@link #waitForQueueSpaceWhile} lets the reader wait for it while the kernel's ring has room.
 */
public final class EventDispatcher implements RawRecordHandler, AutoCloseable {

    private final SpscByteQueue[] queues;
    private final DispatchWorker[] workers;
    private final WorkerCounters[] workerCounters;
    private final Thread[] threads;
    private final ProcessEventListener processEvents;
    private final AtomicLongArray queueDrops;
    /* reader-thread counters, single writer */
    private final AtomicLongArray readerCounts = new AtomicLongArray(4);
    private static final int RECORDS = 0;
    private static final int PROCESS_EVENTS = 1;
    private static final int MALFORMED = 2;
    private static final int QUEUE_WAITS = 3;
    /* how long the reader parks between two looks at a full queue */
    private static final long QUEUE_WAIT_STEP_NANOS = 20_000;
    private BooleanSupplier mayWaitForQueueSpace = () -> false;

    public EventDispatcher(int workerCount, int queueBytes, IntFunction<CaptureEventSink> sinkPerWorker,
                           RoleResolver roleResolver, ProcessEventListener processEvents,
                           IntFunction<String> tlsLibraryNames) {
        if (workerCount < 1) {
            throw new IllegalArgumentException("at least one worker is needed");
        }
        this.queues = new SpscByteQueue[workerCount];
        this.workers = new DispatchWorker[workerCount];
        this.workerCounters = new WorkerCounters[workerCount];
        this.threads = new Thread[workerCount];
        this.queueDrops = new AtomicLongArray(workerCount);
        this.processEvents = processEvents;
        for (int i = 0; i < workerCount; i++) {
            queues[i] = new SpscByteQueue(queueBytes);
            workerCounters[i] = new WorkerCounters();
            workers[i] = new DispatchWorker(queues[i],
                    new EventDecoder(sinkPerWorker.apply(i), roleResolver, workerCounters[i], tlsLibraryNames),
                    workerCounters[i]);
            threads[i] = new Thread(workers[i], "spanscope-capture-worker-" + i);
            threads[i].setDaemon(true);
        }
    }

    /**
     * Lets the reader wait for space in a full worker queue instead of dropping the record, for as long
     * as {@code ringHasRoom} says the kernel's ring can take what arrives meanwhile. A burst that a
     * worker cannot follow for a moment (descheduled, its code not yet compiled) then costs latency,
     * not events: the ring's free space adds to the queue's. Once {@code ringHasRoom} turns false the
     * record is dropped and counted as before, so a stuck worker holds the others back for no longer
     * than the ring takes to fill that far. Asked from the reader thread; call before {@link #start()}.
     */
    public void waitForQueueSpaceWhile(BooleanSupplier ringHasRoom) {
        this.mayWaitForQueueSpace = ringHasRoom;
    }

    public void start() {
        for (Thread thread : threads) {
            thread.start();
        }
    }

    @Override
    public void onRecord(ByteBuffer buffer, int offset, int length) {
        increment(readerCounts, RECORDS);
        if (length < HEADER_SIZE) {
            increment(readerCounts, MALFORMED);
            return;
        }
        int type = buffer.getInt(offset + HEADER_TYPE);
        int tgid = buffer.getInt(offset + HEADER_TGID);
        if (type == TYPE_LIBRARY_MAPPED) {
            increment(readerCounts, PROCESS_EVENTS);
            if (length < LIBRARY_MAPPED_SIZE) {
                increment(readerCounts, MALFORMED);
                return;
            }
            processEvents.onExecutableMapped(tgid, Integer.toUnsignedLong(buffer.getInt(offset + LIBRARY_MAPPED_DEV)),
                    buffer.getLong(offset + LIBRARY_MAPPED_INODE));
            return;
        }
        if (type == TYPE_PROCESS_EXEC || type == TYPE_PROCESS_EXIT) {
            increment(readerCounts, PROCESS_EVENTS);
            if (type == TYPE_PROCESS_EXEC) {
                processEvents.onExec(tgid);
            } else {
                processEvents.onExit(tgid);
            }
            return;
        }
        int worker = Math.floorMod(ConnectionId.shardHash(tgid, buffer.getInt(offset + HEADER_FD)), queues.length);
        if (queues[worker].offer(buffer, offset, length) || offerAfterWaiting(worker, buffer, offset, length)) {
            workers[worker].wakeIfParked();
        } else {
            increment(queueDrops, worker);
        }
    }

    private boolean offerAfterWaiting(int worker, ByteBuffer buffer, int offset, int length) {
        boolean counted = false;
        while (mayWaitForQueueSpace.getAsBoolean()) {
            if (!counted) {
                increment(readerCounts, QUEUE_WAITS);
                counted = true;
            }
            workers[worker].wakeIfParkedFenced();
            LockSupport.parkNanos(QUEUE_WAIT_STEP_NANOS);
            if (queues[worker].offer(buffer, offset, length)) {
                return true;
            }
        }
        return false;
    }

    /** Called by the reader after each drain: wakes a worker whose wake-up the per-record check missed. */
    public void endOfDrain() {
        for (DispatchWorker worker : workers) {
            worker.wakeIfParkedFenced();
        }
    }

    private static void increment(AtomicLongArray counts, int index) {
        counts.lazySet(index, counts.get(index) + 1);
    }

    public long recordsRead() {
        return readerCounts.get(RECORDS);
    }

    public long processEvents() {
        return readerCounts.get(PROCESS_EVENTS);
    }

    /** Records the reader found a full queue for and waited (instead of dropping them at once). */
    public long queueWaits() {
        return readerCounts.get(QUEUE_WAITS);
    }

    public long malformedRecords() {
        long total = readerCounts.get(MALFORMED);
        for (WorkerCounters c : workerCounters) {
            total += c.malformedRecords();
        }
        return total;
    }

    /** Records dropped because worker {@code i}'s queue was full. */
    public List<Long> queueDropsPerWorker() {
        List<Long> drops = new ArrayList<>(queues.length);
        for (int i = 0; i < queues.length; i++) {
            drops.add(queueDrops.get(i));
        }
        return drops;
    }

    public List<WorkerCounters> workerCounters() {
        return List.of(workerCounters);
    }

    /** True when every worker queue is empty (all read records were handed to the sinks or dropped). */
    public boolean isIdle() {
        for (SpscByteQueue queue : queues) {
            if (!queue.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Lets the workers finish what is queued, then stops them. */
    @Override
    public void close() throws InterruptedException {
        for (DispatchWorker worker : workers) {
            worker.stop();
        }
        for (Thread thread : threads) {
            thread.join(10_000);
        }
    }
}

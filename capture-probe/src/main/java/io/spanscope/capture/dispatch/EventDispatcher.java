package io.spanscope.capture.dispatch;

import static io.spanscope.capture.ringbuf.EventLayout.*;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.ringbuf.RawRecordHandler;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntFunction;

/**
 * Runs on the ring-buffer reader thread: copies each record into the queue of the worker that owns
 * its connection ({@link ConnectionId#shardHash(int, int)}), so open, data and close of one
 * connection stay on one thread and in order. A full queue drops the record and counts it: the
 * reader never waits for a worker.
 */
public final class EventDispatcher implements RawRecordHandler, AutoCloseable {

    private final SpscByteQueue[] queues;
    private final DispatchWorker[] workers;
    private final WorkerCounters[] workerCounters;
    private final Thread[] threads;
    private final ProcessEventListener processEvents;
    private final AtomicLongArray queueDrops;
    /* reader-thread counters, single writer */
    private final AtomicLongArray readerCounts = new AtomicLongArray(3);
    private static final int RECORDS = 0;
    private static final int PROCESS_EVENTS = 1;
    private static final int MALFORMED = 2;

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
        if (queues[worker].offer(buffer, offset, length)) {
            workers[worker].wakeIfParked();
        } else {
            increment(queueDrops, worker);
        }
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

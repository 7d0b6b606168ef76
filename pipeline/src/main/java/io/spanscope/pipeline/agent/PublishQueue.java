package io.spanscope.pipeline.agent;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Encoded records waiting for the Kafka producer, bounded in bytes. {@link #offer} never waits: when the
 * bound is reached the OLDEST records are dropped (the freshest spans are the most useful once Kafka is
 * back) and every drop is counted in records and bytes. Thread-safe; the lock is held only to link or
 * unlink one entry.
 */
final class PublishQueue {

    /** One record: key and value exactly as they go to Kafka. */
    record Entry(byte[] key, byte[] value) {
        int bytes() {
            return key.length + value.length;
        }
    }

    private final long capacityBytes;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private long queuedBytes;
    private long recordsIn;
    private long bytesIn;
    private long droppedRecords;
    private long droppedBytes;

    PublishQueue(long capacityBytes) {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("capacity " + capacityBytes);
        }
        this.capacityBytes = capacityBytes;
    }

    /** Adds the entry, dropping the oldest entries (or this one, if it alone exceeds the bound). */
    void offer(Entry entry) {
        int bytes = entry.bytes();
        lock.lock();
        try {
            recordsIn++;
            bytesIn += bytes;
            if (bytes > capacityBytes) {
                droppedRecords++;
                droppedBytes += bytes;
                return;
            }
            while (queuedBytes + bytes > capacityBytes) {
                Entry oldest = entries.pollFirst();
                queuedBytes -= oldest.bytes();
                droppedRecords++;
                droppedBytes += oldest.bytes();
            }
            entries.addLast(entry);
            queuedBytes += bytes;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The oldest entry, waiting up to {@code timeoutNanos}; null when none came. */
    Entry poll(long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (entries.isEmpty()) {
                if (left <= 0) {
                    return null;
                }
                left = notEmpty.awaitNanos(left);
            }
            Entry e = entries.pollFirst();
            queuedBytes -= e.bytes();
            return e;
        } finally {
            lock.unlock();
        }
    }

    /** Empties the queue, counting what it held as dropped (shutdown ran out of time). */
    int dropAll() {
        lock.lock();
        try {
            int n = entries.size();
            droppedRecords += n;
            droppedBytes += queuedBytes;
            entries.clear();
            queuedBytes = 0;
            return n;
        } finally {
            lock.unlock();
        }
    }

    boolean isEmpty() {
        lock.lock();
        try {
            return entries.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Fills the queue-side fields of a stats snapshot consistently (one lock). */
    Counts counts() {
        lock.lock();
        try {
            return new Counts(recordsIn, bytesIn, droppedRecords, droppedBytes, entries.size(), queuedBytes);
        } finally {
            lock.unlock();
        }
    }

    long capacityBytes() {
        return capacityBytes;
    }

    record Counts(long recordsIn, long bytesIn, long droppedRecords, long droppedBytes, long queuedRecords,
                  long queuedBytes) {
    }
}

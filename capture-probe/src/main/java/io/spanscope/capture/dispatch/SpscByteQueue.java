package io.spanscope.capture.dispatch;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A bounded single-producer/single-consumer queue of variable-length byte records in one on-heap
 * ring. The producer never waits: {@link #offer} fails when the record does not fit. Records are
 * 8-byte aligned {@code [int length][bytes]}; a record that would cross the end is preceded by a
 * padding marker and written at the start, so the consumer always sees it contiguous.
 */
public final class SpscByteQueue {

    /** Receives a record in place; the bytes are reused after the call returns. */
    @FunctionalInterface
    public interface RecordConsumer {
        void accept(byte[] buffer, int offset, int length);
    }

    private static final int LENGTH_BYTES = 4;
    private static final int PADDING = -1;
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(SpscByteQueue.class, "head", long.class);
            TAIL = lookup.findVarHandle(SpscByteQueue.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final byte[] buffer;
    private final int mask;
    /* written by the consumer, read by the producer */
    private volatile long head;
    private long p1, p2, p3, p4, p5, p6, p7; // keep head and tail on separate cache lines
    /* written by the producer, read by the consumer */
    private volatile long tail;
    private long producerHeadCache;

    /** @param capacityBytes a power of 2, at least 64 */
    public SpscByteQueue(int capacityBytes) {
        if (capacityBytes < 64 || Integer.bitCount(capacityBytes) != 1) {
            throw new IllegalArgumentException("capacity must be a power of 2 >= 64: " + capacityBytes);
        }
        this.buffer = new byte[capacityBytes];
        this.mask = capacityBytes - 1;
    }

    public int capacity() {
        return buffer.length;
    }

    /** Producer side: copies {@code length} bytes of {@code source} at {@code offset}; false when full. */
    public boolean offer(ByteBuffer source, int offset, int length) {
        int recordBytes = align(LENGTH_BYTES + length);
        long currentTail = (long) TAIL.getOpaque(this);
        int index = (int) (currentTail & mask);
        int toEnd = buffer.length - index;
        int required = recordBytes <= toEnd ? recordBytes : toEnd + recordBytes;
        if (currentTail + required - producerHeadCache > buffer.length) {
            producerHeadCache = (long) HEAD.getAcquire(this);
            if (currentTail + required - producerHeadCache > buffer.length) {
                return false;
            }
        }
        if (recordBytes > toEnd) {
            INT.set(buffer, index, PADDING);
            currentTail += toEnd;
            index = 0;
        }
        INT.set(buffer, index, length);
        source.get(offset, buffer, index + LENGTH_BYTES, length);
        TAIL.setRelease(this, currentTail + recordBytes);
        return true;
    }

    /** Consumer side: hands up to {@code limit} records to {@code consumer}; returns how many. */
    public int drain(RecordConsumer consumer, int limit) {
        long currentHead = (long) HEAD.getOpaque(this);
        long available = (long) TAIL.getAcquire(this);
        int delivered = 0;
        while (currentHead < available && delivered < limit) {
            int index = (int) (currentHead & mask);
            int length = (int) INT.get(buffer, index);
            if (length == PADDING) {
                currentHead += buffer.length - index;
                continue;
            }
            consumer.accept(buffer, index + LENGTH_BYTES, length);
            currentHead += align(LENGTH_BYTES + length);
            delivered++;
            HEAD.setRelease(this, currentHead);
        }
        HEAD.setRelease(this, currentHead);
        return delivered;
    }

    public boolean isEmpty() {
        return (long) HEAD.getAcquire(this) == (long) TAIL.getAcquire(this);
    }

    private static int align(int bytes) {
        return (bytes + 7) & ~7;
    }
}

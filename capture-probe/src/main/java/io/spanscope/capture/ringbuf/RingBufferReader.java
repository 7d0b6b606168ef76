package io.spanscope.capture.ringbuf;

import com.sun.jna.Memory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import io.spanscope.capture.bpf.Libc;

/**
 * Consumes a BPF ring buffer straight from its memory mapping, the protocol of libbpf's
 * {@code ring_buffer__consume} done in Java: read the producer position with acquire semantics, walk
 * the 8-byte record headers (skipping DISCARD records, stopping at a BUSY one that the producer has
 * not committed yet), hand each record in place to the handler, then publish the new consumer
 * position with release semantics so the kernel may reuse the space.
 *
 * <p>The consumer position is published every {@link #releaseEveryBytes} bytes and at the end of a
 * drain, not after every record as libbpf does: every BPF program that reserves space reads that
 * position, and each store to it from the reader's core takes the cache line away from all of them.
 *
 * <p>One thread drains a reader; {@link #drain} allocates nothing.
 */
public final class RingBufferReader {

    static final int HEADER_BYTES = 8;
    static final int BUSY_BIT = 1 << 31;
    static final int DISCARD_BIT = 1 << 30;

    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final ByteBuffer consumerPosition;
    private final ByteBuffer producerPosition;
    private final ByteBuffer data;
    private final long mask;
    private final long releaseEveryBytes;
    private final int pollFd;
    private final Memory pollFds;
    private long consumed;

    /**
     * @param pollFd the ring buffer map's fd, to wait on with poll(2); -1 when the ring is not a BPF map
     */
    public RingBufferReader(RingBufferMapping mapping, int pollFd) {
        this.consumerPosition = mapping.consumerPage().getByteBuffer(0, 8);
        this.producerPosition = mapping.producerPage().getByteBuffer(0, 8);
        this.data = mapping.data().getByteBuffer(0, 2 * mapping.dataSize()).order(ByteOrder.LITTLE_ENDIAN);
        this.mask = mapping.dataSize() - 1;
        this.releaseEveryBytes = releaseEveryBytes(mapping.dataSize());
        this.pollFd = pollFd;
        this.pollFds = new Memory(8);
        this.consumed = (long) LONG.getAcquire(consumerPosition, 0);
    }

    /**
     * Hands every committed record to {@code handler} and frees its space.
     *
     * @return records delivered (DISCARD records are skipped, not counted)
     */
    public int drain(RawRecordHandler handler) {
        int delivered = 0;
        long position = consumed;
        long released = position;
        long produced = (long) LONG.getAcquire(producerPosition, 0);
        while (position < produced) {
            int offset = (int) (position & mask);
            int header = (int) INT.getAcquire(data, offset);
            if ((header & BUSY_BIT) != 0) {
                break;
            }
            int length = header & ~(BUSY_BIT | DISCARD_BIT);
            if ((header & DISCARD_BIT) == 0) {
                handler.onRecord(data, offset + HEADER_BYTES, length);
                delivered++;
            }
            position += (length + HEADER_BYTES + 7) & ~7L;
            if (position - released >= releaseEveryBytes) {
                LONG.setRelease(consumerPosition, 0, position);
                released = position;
            }
            if (position >= produced) {
                produced = (long) LONG.getAcquire(producerPosition, 0);
            }
        }
        if (position != released) {
            LONG.setRelease(consumerPosition, 0, position);
        }
        consumed = position;
        return delivered;
    }

    /**
     * How far the published consumer position may lag behind the records handled in a drain: an
     * eighth of the ring at most (the producers lose at most that much space), 64 KiB at most (a few
     * hundred typical records share one store).
     */
    static long releaseEveryBytes(long dataSize) {
        return Math.max(HEADER_BYTES, Math.min(64 * 1024, dataSize / 8));
    }

    /**
     * Bytes the kernel has committed that this reader has not yet given back (its published position
     * lags what it handled by less than {@link #releaseEveryBytes}): the part of the ring in use.
     */
    public long backlogBytes() {
        return (long) LONG.getAcquire(producerPosition, 0) - (long) LONG.getAcquire(consumerPosition, 0);
    }

    /** True when records are waiting (no syscall). */
    public boolean hasData() {
        return (long) LONG.getAcquire(producerPosition, 0) > consumed;
    }

    /**
     * True when the producer is ahead of the published consumer position; safe from any thread
     * (reads both positions from the shared pages).
     */
    public boolean hasPendingForOtherThreads() {
        return (long) LONG.getAcquire(producerPosition, 0) > (long) LONG.getAcquire(consumerPosition, 0);
    }

    /**
     * Waits until the kernel signals new data or the timeout passes (poll(2) on the map fd; without a
     * fd, a plain timed sleep). Returns at once when data is already there.
     */
    public void await(int timeoutMillis) {
        if (hasData()) {
            return;
        }
        if (pollFd < 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(timeoutMillis * 1_000_000L);
            return;
        }
        pollFds.setInt(0, pollFd);
        pollFds.setShort(4, Libc.POLLIN);
        pollFds.setShort(6, (short) 0);
        Libc.poll(pollFds, 1, timeoutMillis);
    }
}

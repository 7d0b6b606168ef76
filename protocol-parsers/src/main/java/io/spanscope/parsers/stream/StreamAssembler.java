package io.spanscope.parsers.stream;

import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserStats;

import java.util.TreeMap;

/**
 * Puts one direction of a connection back in TCP sequence order and hands it to a
 * {@link StreamConsumer}.
 *
 * <ul>
 *   <li>In order, with nothing left over from before: the event's payload is passed as is (no copy).</li>
 *   <li>Bytes the consumer leaves unconsumed (an incomplete header block) are kept in a per-direction
 *       buffer, bounded by {@code maxBufferedBytes}; newer bytes are appended and presented with them.</li>
 *   <li>Chunks ahead of the expected position are copied and held (bounded in bytes and chunks); when the
 *       missing range arrives they are put in place. When a bound is hit, or at {@link #flush()}, the
 *       missing range is declared a gap and the held chunks are delivered after it.</li>
 *   <li>Ranges already delivered (retransmissions, overlaps) are trimmed and counted.</li>
 *   <li>A truncated event (payload shorter than its byte count) is a gap of known length right after its
 *       payload.</li>
 * </ul>
 *
 * Sequence numbers are 32-bit and wrap; positions are 64-bit offsets from the first byte seen, found
 * from the signed 32-bit distance to the expected sequence number.
 */
public final class StreamAssembler {

    private static final byte[] NO_BYTES = new byte[0];
    /** Bytes appended to a non-empty buffer per step, so a large chunk after a partial header is not copied whole. */
    private static final int APPEND_STEP = 16 * 1024;
    private static final int MIN_BUFFER = 1024;

    private final StreamConsumer consumer;
    private final ParserStats stats;
    private final MemoryBudget budget;
    private final int maxBufferedBytes;
    private final int maxHeldBytes;
    private final int maxHeldChunks;
    private final ChunkOrigin origin = new ChunkOrigin();

    private boolean started;
    private int firstSequence;
    /** Position just past the last byte accepted in order, unconsumed ones included. */
    private long nextPosition;

    /** Unconsumed bytes; they end at {@link #nextPosition}. */
    private byte[] pending = NO_BYTES;
    private int pendingLength;

    /** The event being delivered in order (held chunks keep their own); its first fed byte's position and sequence. */
    private long eventTimestampNs;
    private int eventTid;
    private long eventPosition;
    private int eventSequence;
    private boolean eventSequenceKnown = true;

    private TreeMap<Long, HeldChunk> held;
    private long heldBytes;

    public StreamAssembler(StreamConsumer consumer, ParserStats stats, int maxBufferedBytes, int maxHeldBytes,
                           int maxHeldChunks) {
        this.consumer = consumer;
        this.stats = stats;
        this.budget = stats.memory();
        this.maxBufferedBytes = maxBufferedBytes;
        this.maxHeldBytes = maxHeldBytes;
        this.maxHeldChunks = maxHeldChunks;
    }

    /**
     * Accepts the stream range {@code [tcpSequence, tcpSequence + byteCount)} of which the first
     * {@code length} bytes are in {@code payload} at {@code offset}.
     */
    public void offer(int tcpSequence, int byteCount, byte[] payload, int offset, int length,
                      long timestampNs, int tid) {
        if (byteCount <= 0) {
            return;
        }
        int captured = Math.max(0, Math.min(length, byteCount));
        stats.countCapturedBytes(captured);
        if (!started) {
            started = true;
            firstSequence = tcpSequence;
        }
        int expected = (int) (firstSequence + nextPosition);
        long position = nextPosition + (tcpSequence - expected);
        acceptAt(position, payload, offset, captured, byteCount, timestampNs, tid);
        drainHeld();
    }

    /**
     * Accepts an event in arrival order, whatever its sequence number: for TLS plaintext, whose
     * sequence numbers are those of the nested ciphertext syscalls and do not count plaintext bytes.
     * The number is still carried into {@link ChunkOrigin#sequenceAt} for the event's bytes, unless the
     * capture marked it unknown ({@code sequenceKnown} false): those bytes then have no sequence number (-1).
     */
    public void offerInArrivalOrder(int tcpSequence, boolean sequenceKnown, int byteCount, byte[] payload, int offset,
                                    int length, long timestampNs, int tid) {
        if (byteCount <= 0) {
            return;
        }
        int captured = Math.max(0, Math.min(length, byteCount));
        stats.countCapturedBytes(captured);
        started = true;
        eventSequenceKnown = sequenceKnown;
        deliverInOrder(payload, offset, captured, byteCount, timestampNs, tid, tcpSequence);
        eventSequenceKnown = true;
    }

    /** Gives up waiting for missing ranges: held chunks are delivered after gaps. Call when the connection ends. */
    public void flush() {
        while (held != null && !held.isEmpty()) {
            deliverHeld(held.pollFirstEntry().getValue());
        }
    }

    /** Presents unconsumed bytes again (after the consumer's state changed, e.g. a protocol handoff). */
    public void redeliver() {
        if (pendingLength > 0) {
            int consumed = consume(pending, 0, pendingLength, nextPosition - pendingLength);
            compact(consumed);
        }
    }

    /** Frees all buffers and returns their bytes to the budget. */
    public void release() {
        discardPending();
        if (held != null) {
            budget.release(heldBytes);
            heldBytes = 0;
            held.clear();
        }
    }

    /** Bytes this direction holds now (unconsumed buffer capacity plus held chunks). */
    public long bufferedBytes() {
        return pending.length + heldBytes;
    }

    /** Position of the next byte expected in order. */
    public long nextPosition() {
        return nextPosition;
    }

    private void acceptAt(long position, byte[] payload, int offset, int captured, int byteCount,
                          long timestampNs, int tid) {
        if (position < nextPosition) {
            long overlap = nextPosition - position;
            if (overlap >= byteCount) {
                stats.countDuplicateBytes(byteCount);
                return;
            }
            stats.countDuplicateBytes(overlap);
            int skipped = (int) Math.min(overlap, captured);
            offset += skipped;
            captured -= skipped;
            byteCount -= (int) overlap;
            position = nextPosition;
        }
        if (position == nextPosition) {
            deliverInOrder(payload, offset, captured, byteCount, timestampNs, tid, (int) (firstSequence + position));
        } else {
            hold(position, payload, offset, captured, byteCount, timestampNs, tid);
        }
    }

    private void deliverInOrder(byte[] payload, int offset, int captured, int byteCount, long timestampNs,
                                int tid, int sequence) {
        eventTimestampNs = timestampNs;
        eventTid = tid;
        eventPosition = nextPosition;
        eventSequence = sequence;
        if (captured > 0) {
            feed(payload, offset, captured);
        }
        if (byteCount > captured) {
            gap(byteCount - captured);
        }
    }

    private void hold(long position, byte[] payload, int offset, int captured, int byteCount, long timestampNs,
                      int tid) {
        stats.countOutOfOrderChunk();
        if (held == null) {
            held = new TreeMap<>();
        }
        boolean withinLimits = held.size() < maxHeldChunks && heldBytes + captured <= maxHeldBytes;
        if (!withinLimits || !budget.tryReserve(captured)) {
            stats.countDrop(withinLimits ? DropReason.TOTAL_BUFFER_LIMIT : DropReason.OUT_OF_ORDER_LIMIT);
            skipTo(position);
            acceptAt(position, payload, offset, captured, byteCount, timestampNs, tid);
            return;
        }
        byte[] copy = new byte[captured];
        System.arraycopy(payload, offset, copy, 0, captured);
        HeldChunk chunk = new HeldChunk(position, copy, byteCount, timestampNs, tid);
        heldBytes += captured;
        HeldChunk previous = held.put(position, chunk);
        if (previous != null) {
            stats.countDuplicateBytes(Math.min(previous.byteCount, byteCount));
            if (previous.byteCount > byteCount) {
                held.put(position, previous);
                unhold(chunk);
            } else {
                unhold(previous);
            }
        }
    }

    /** Delivers held chunks before {@code position} and declares everything still missing before it a gap. */
    private void skipTo(long position) {
        while (held != null && !held.isEmpty() && held.firstKey() < position) {
            deliverHeld(held.pollFirstEntry().getValue());
        }
        if (position > nextPosition) {
            gap(position - nextPosition);
        }
    }

    private void drainHeld() {
        while (held != null && !held.isEmpty() && held.firstKey() <= nextPosition) {
            HeldChunk chunk = held.pollFirstEntry().getValue();
            unhold(chunk);
            acceptAt(chunk.position, chunk.bytes, 0, chunk.bytes.length, chunk.byteCount, chunk.timestampNs,
                    chunk.tid);
        }
    }

    private void deliverHeld(HeldChunk chunk) {
        unhold(chunk);
        if (chunk.position > nextPosition) {
            gap(chunk.position - nextPosition);
        }
        acceptAt(chunk.position, chunk.bytes, 0, chunk.bytes.length, chunk.byteCount, chunk.timestampNs, chunk.tid);
        drainHeld();
    }

    private void unhold(HeldChunk chunk) {
        heldBytes -= chunk.bytes.length;
        budget.release(chunk.bytes.length);
    }

    private void gap(long missingBytes) {
        long start = nextPosition - pendingLength;
        long total = pendingLength + missingBytes;
        discardPending();
        origin.reset(start, eventTimestampNs, eventTid, sequenceOf(start), eventSequenceKnown);
        nextPosition += missingBytes;
        stats.countGap(missingBytes);
        consumer.onGap(start, total, origin);
    }

    private void feed(byte[] bytes, int offset, int length) {
        if (pendingLength == 0) {
            long position = nextPosition;
            origin.reset(position, eventTimestampNs, eventTid, sequenceOf(position), eventSequenceKnown);
            nextPosition += length;
            int consumed = consume(bytes, offset, length, position);
            if (consumed < length) {
                keep(bytes, offset + consumed, length - consumed);
            }
            return;
        }
        while (length > 0) {
            int step = Math.min(length, APPEND_STEP);
            if (!ensureCapacity(pendingLength + step)) {
                dropPending();
                feed(bytes, offset, length);
                return;
            }
            System.arraycopy(bytes, offset, pending, pendingLength, step);
            origin.add(nextPosition, eventTimestampNs, eventTid, sequenceOf(nextPosition), eventSequenceKnown);
            pendingLength += step;
            nextPosition += step;
            offset += step;
            length -= step;
            compact(consume(pending, 0, pendingLength, nextPosition - pendingLength));
            if (pendingLength == 0 && length > 0) {
                feed(bytes, offset, length);
                return;
            }
        }
    }

    private int sequenceOf(long position) {
        return eventSequence + (int) (position - eventPosition);
    }

    private int consume(byte[] bytes, int offset, int length, long position) {
        int done = 0;
        while (done < length) {
            int consumed = consumer.onBytes(bytes, offset + done, length - done, position + done, origin);
            if (consumed <= 0) {
                break;
            }
            done += Math.min(consumed, length - done);
        }
        return done;
    }

    private void keep(byte[] bytes, int offset, int length) {
        if (!ensureCapacity(length)) {
            stats.countGap(length);
            consumer.onGap(nextPosition - length, length, origin);
            return;
        }
        System.arraycopy(bytes, offset, pending, 0, length);
        pendingLength = length;
    }

    /** The consumer could not make progress within the buffer bound: its unconsumed bytes are given up. */
    private void dropPending() {
        long start = nextPosition - pendingLength;
        long dropped = pendingLength;
        discardPending();
        stats.countGap(dropped);
        consumer.onGap(start, dropped, origin);
    }

    private boolean ensureCapacity(int needed) {
        if (needed <= pending.length) {
            return true;
        }
        if (needed > maxBufferedBytes) {
            stats.countDrop(DropReason.DIRECTION_BUFFER_LIMIT);
            return false;
        }
        int capacity = Math.min(maxBufferedBytes, Math.max(needed, Math.max(MIN_BUFFER, pending.length * 2)));
        if (!budget.tryReserve(capacity - pending.length)) {
            stats.countDrop(DropReason.TOTAL_BUFFER_LIMIT);
            return false;
        }
        byte[] grown = new byte[capacity];
        System.arraycopy(pending, 0, grown, 0, pendingLength);
        pending = grown;
        return true;
    }

    private void compact(int consumed) {
        if (consumed >= pendingLength) {
            discardPending();
        } else if (consumed > 0) {
            System.arraycopy(pending, consumed, pending, 0, pendingLength - consumed);
            pendingLength -= consumed;
            origin.dropBefore(nextPosition - pendingLength);
        }
    }

    /** Empty buffers are freed at once: idle connections should cost no buffer memory. */
    private void discardPending() {
        pendingLength = 0;
        if (pending.length > 0) {
            budget.release(pending.length);
            pending = NO_BYTES;
        }
    }

    private static final class HeldChunk {
        final long position;
        final byte[] bytes;
        final int byteCount;
        final long timestampNs;
        final int tid;

        HeldChunk(long position, byte[] bytes, int byteCount, long timestampNs, int tid) {
            this.position = position;
            this.bytes = bytes;
            this.byteCount = byteCount;
            this.timestampNs = timestampNs;
            this.tid = tid;
        }
    }

}

package io.spanscope.capture.pcap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Puts the segments of one direction of a TCP connection in sequence order.
 *
 * <p>State: {@code nextSequence}, the first byte not yet delivered (set by the SYN, or by the first segment
 * when the capture joined mid-stream), and a bounded list of held out-of-order segments sorted by sequence.
 * A segment at {@code nextSequence} is delivered at once, from the packet buffer, then held segments that
 * became contiguous follow. Bytes before {@code nextSequence} are retransmissions: trimmed and counted.
 *
 * <p>A missing range becomes a gap, delivered as the next held segment with a jumped sequence number
 * (no bytes are invented), when the peer acknowledges past it (the peer got bytes the capture never saw),
 * when held bytes exceed their bound, or when the stream is flushed (close, end of file).
 * Sequence arithmetic is modulo 2^32.
 */
final class StreamReassembler {

    /** Receives the in-order chunks of the stream. */
    interface ChunkConsumer {
        /**
         * @param byteCount stream bytes the chunk stands for
         * @param capturedLength bytes present in {@code buffer} (less than byteCount when snap-truncated)
         */
        void onChunk(int sequence, int byteCount, byte[] buffer, int offset, int capturedLength, long timestampNs);
    }

    private final PcapCounters counters;
    private final int maxHeldBytes;
    private final int maxHeldSegments;
    private final List<HeldSegment> held = new ArrayList<>(0);
    private boolean synchronised;
    private int nextSequence;
    private int heldBytes;
    private boolean peerAckKnown;
    private int peerAck;
    private boolean finSeen;
    private long deliveredBytes;

    StreamReassembler(PcapCounters counters, int maxHeldBytes, int maxHeldSegments) {
        this.counters = counters;
        this.maxHeldBytes = maxHeldBytes;
        this.maxHeldSegments = maxHeldSegments;
    }

    /** The SYN takes one sequence number: data starts right after it. */
    void onSyn(int synSequence) {
        if (!synchronised) {
            synchronised = true;
            nextSequence = synSequence + 1;
        }
    }

    /** The sender is done; the connection closes once both directions are (data held so far is flushed then). */
    void onFin() {
        finSeen = true;
    }

    boolean finSeen() {
        return finSeen;
    }

    /** Stream bytes delivered (captured or snap-truncated), gaps excluded. */
    long deliveredBytes() {
        return deliveredBytes;
    }

    void onSegment(int sequence, int byteCount, byte[] buffer, int offset, int capturedLength, long timestampNs,
                   ChunkConsumer consumer) {
        if (byteCount == 0) {
            return;
        }
        if (!synchronised) {
            synchronised = true;
            nextSequence = sequence;
        }
        int ahead = sequence - nextSequence;
        if (ahead <= 0) {
            deliverTrimmed(sequence, byteCount, buffer, offset, capturedLength, timestampNs, consumer);
            deliverContiguousHeld(consumer);
            return;
        }
        if (peerAckKnown && peerAck - sequence >= 0) {
            // the peer already acknowledged past this segment's start: the bytes before it were on the wire
            // but not in the capture, and will not come
            skipTo(sequence);
            deliverTrimmed(sequence, byteCount, buffer, offset, capturedLength, timestampNs, consumer);
            deliverContiguousHeld(consumer);
            return;
        }
        hold(sequence, byteCount, buffer, offset, capturedLength, timestampNs);
        while (heldBytes > maxHeldBytes || held.size() > maxHeldSegments) {
            releaseFirstHeldAfterGap(consumer);
        }
    }

    /** The peer acknowledged everything before {@code ack}: held data below it is released past any gap. */
    void onPeerAck(int ack, ChunkConsumer consumer) {
        if (!peerAckKnown || ack - peerAck > 0) {
            peerAckKnown = true;
            peerAck = ack;
        }
        while (!held.isEmpty() && synchronised && ack - held.get(0).sequence > 0) {
            releaseFirstHeldAfterGap(consumer);
        }
    }

    /** Delivers everything held, jumping over the gaps (close, end of file). */
    void flush(ChunkConsumer consumer) {
        while (!held.isEmpty()) {
            releaseFirstHeldAfterGap(consumer);
        }
    }

    private void releaseFirstHeldAfterGap(ChunkConsumer consumer) {
        HeldSegment first = held.get(0);
        if (first.sequence - nextSequence > 0) {
            skipTo(first.sequence);
        }
        deliverContiguousHeld(consumer);
    }

    private void skipTo(int sequence) {
        counters.gaps++;
        counters.gapBytes += Integer.toUnsignedLong(sequence - nextSequence);
        nextSequence = sequence;
    }

    private void deliverContiguousHeld(ChunkConsumer consumer) {
        while (!held.isEmpty() && held.get(0).sequence - nextSequence <= 0) {
            HeldSegment s = held.remove(0);
            heldBytes -= s.bytes.length;
            deliverTrimmed(s.sequence, s.byteCount, s.bytes, 0, s.bytes.length, s.timestampNs, consumer);
        }
    }

    /** Delivers the part of a segment at or after {@code nextSequence}; counts the part before it. */
    private void deliverTrimmed(int sequence, int byteCount, byte[] buffer, int offset, int capturedLength,
                                long timestampNs, ChunkConsumer consumer) {
        long overlap = Integer.toUnsignedLong(nextSequence - sequence);
        if (overlap >= byteCount) {
            counters.retransmittedSegments++;
            counters.retransmittedBytes += byteCount;
            return;
        }
        int trim = (int) overlap;
        if (trim > 0) {
            counters.retransmittedBytes += trim;
        }
        int capturedTrim = Math.min(trim, capturedLength);
        int count = byteCount - trim;
        int captured = capturedLength - capturedTrim;
        consumer.onChunk(nextSequence, count, buffer, offset + capturedTrim, captured, timestampNs);
        nextSequence += count;
        deliveredBytes += count;
    }

    private void hold(int sequence, int byteCount, byte[] buffer, int offset, int capturedLength, long timestampNs) {
        int index = 0;
        while (index < held.size() && held.get(index).sequence - sequence < 0) {
            index++;
        }
        if (index < held.size()) {
            HeldSegment same = held.get(index);
            if (same.sequence == sequence && same.byteCount >= byteCount) {
                counters.retransmittedSegments++;
                counters.retransmittedBytes += byteCount;
                return;
            }
        }
        counters.outOfOrderSegments++;
        byte[] copy = Arrays.copyOfRange(buffer, offset, offset + capturedLength);
        held.add(index, new HeldSegment(sequence, byteCount, copy, timestampNs));
        heldBytes += capturedLength;
    }

    private record HeldSegment(int sequence, int byteCount, byte[] bytes, long timestampNs) {
    }
}

package io.spanscope.parsers.mysql;

import io.spanscope.parsers.stream.ChunkOrigin;

/**
 * One logical MySQL message as a {@link MySqlPacketReader} delivers it: a packet, or a packet of
 * 2^24-1 bytes and its continuations. Only the inspected prefix of the payload is presented; the rest
 * was skipped by length. Mutable and reused by its reader; valid only during the callback.
 */
final class MySqlPacket {

    /** Payload length that means "continued in the next packet". */
    static final int MAX_PAYLOAD = 0xFF_FFFF;

    int sequenceId;
    /** Sequence id of the last packet of the message (differs from the first with continuations). */
    int lastSequenceId;
    /** Whole payload, continuations included. */
    long payloadLength;
    /** Bytes on the wire, headers included. */
    long wireBytes;
    byte[] buffer;
    int offset;
    /** Inspected payload bytes at {@code buffer[offset..offset+length)}. */
    int length;
    /** Fewer bytes inspected than the payload has, or some were lost in a gap. */
    boolean truncated;
    long startPosition;
    /** Position of the last byte of the message. */
    long endPosition;
    /**
     * Where the first and last bytes came from; looked up only when a consumer asks (most response packets
     * need only their end time). Valid during the callback, like the packet itself.
     */
    ChunkOrigin origin;
    /**
     * The start's event was looked up when the message began: a message delivered from the reader's copy
     * ends in a later delivery, whose origin no longer holds its first bytes.
     */
    boolean startResolved;
    private long resolvedStartNs;
    private int resolvedStartTid;
    private long resolvedStartSequence;

    /** Looks the start's event up now (the origin of this delivery will not be available at the end). */
    void resolveStart(ChunkOrigin startOrigin) {
        resolvedStartNs = startOrigin.timestampAt(startPosition);
        resolvedStartTid = startOrigin.tidAt(startPosition);
        resolvedStartSequence = startOrigin.sequenceAt(startPosition);
        startResolved = true;
    }

    long startNs() {
        return startResolved ? resolvedStartNs : origin.timestampAt(startPosition);
    }

    int startTid() {
        return startResolved ? resolvedStartTid : origin.tidAt(startPosition);
    }

    /** TCP sequence number of the first header byte. */
    long startSequence() {
        return startResolved ? resolvedStartSequence : origin.sequenceAt(startPosition);
    }

    long endNs() {
        return origin.timestampAt(endPosition);
    }

    int firstByte() {
        return length > 0 ? buffer[offset] & 0xFF : -1;
    }
}

package io.spanscope.parsers.mysql;

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
    long startNs;
    int startTid;
    long startSequence;
    long endNs;
    int endTid;

    int firstByte() {
        return length > 0 ? buffer[offset] & 0xFF : -1;
    }
}

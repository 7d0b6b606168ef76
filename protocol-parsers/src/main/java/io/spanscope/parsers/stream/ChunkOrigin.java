package io.spanscope.parsers.stream;

/**
 * Where the bytes being delivered came from: the capture event that carried the newest of them. A
 * parser reads it when a message starts (first byte) and ends (last byte); since unconsumed bytes are
 * re-presented together with later ones, a parser must note a message's start when it first sees it.
 * Mutable and reused by its {@link StreamAssembler}; valid only during a delivery.
 */
public final class ChunkOrigin {

    private long timestampNs;
    private int tid;
    private int firstSequence;

    void set(long timestampNs, int tid) {
        this.timestampNs = timestampNs;
        this.tid = tid;
    }

    void startAt(int firstSequence) {
        this.firstSequence = firstSequence;
    }

    /** Timestamp of the event carrying the newest delivered byte (source clock). */
    public long timestampNs() {
        return timestampNs;
    }

    /** Thread of the event carrying the newest delivered byte. */
    public int tid() {
        return tid;
    }

    /** Unsigned 32-bit TCP sequence number of the byte at a stream position. */
    public long sequenceAt(long position) {
        return (firstSequence + position) & 0xFFFF_FFFFL;
    }
}

package io.spanscope.parsers.stream;

/**
 * Which capture event each delivered byte came from. Bytes a consumer left unconsumed are presented
 * again with later ones, so one delivery can span several events; the origin keeps the event
 * boundaries (stream position, timestamp, thread) of the bytes being delivered, and parsers ask for the
 * event of the exact byte that starts or ends a message. Mutable and reused by its
 * {@link StreamAssembler}; valid only during a delivery.
 *
 * <p>At most {@value #MAX_BOUNDARIES} boundaries are kept: when bytes trickle in one tiny event at a
 * time, the latest boundary is overwritten, so bytes in the middle may be attributed to an earlier event
 * (first and newest stay exact).
 */
public final class ChunkOrigin {

    static final int MAX_BOUNDARIES = 32;

    private final long[] positions = new long[MAX_BOUNDARIES];
    private final long[] timestamps = new long[MAX_BOUNDARIES];
    private final int[] tids = new int[MAX_BOUNDARIES];
    private final int[] sequences = new int[MAX_BOUNDARIES];
    private final boolean[] sequenceKnown = new boolean[MAX_BOUNDARIES];
    private int count;

    /** Only one event's bytes are being delivered, starting at {@code position} with TCP sequence {@code sequence}. */
    void reset(long position, long timestampNs, int tid, int sequence, boolean known) {
        count = 0;
        add(position, timestampNs, tid, sequence, known);
    }

    /** Bytes from {@code position} on come from another event. */
    void add(long position, long timestampNs, int tid, int sequence, boolean known) {
        int i = count < MAX_BOUNDARIES ? count++ : MAX_BOUNDARIES - 1;
        if (i > 0 && positions[i - 1] == position) {
            i--;
            count = i + 1;
        }
        positions[i] = position;
        timestamps[i] = timestampNs;
        tids[i] = tid;
        sequences[i] = sequence;
        sequenceKnown[i] = known;
    }

    /** Forgets boundaries of bytes before {@code position} (they were consumed). */
    void dropBefore(long position) {
        int keepFrom = 0;
        while (keepFrom + 1 < count && positions[keepFrom + 1] <= position) {
            keepFrom++;
        }
        if (keepFrom > 0) {
            System.arraycopy(positions, keepFrom, positions, 0, count - keepFrom);
            System.arraycopy(timestamps, keepFrom, timestamps, 0, count - keepFrom);
            System.arraycopy(tids, keepFrom, tids, 0, count - keepFrom);
            System.arraycopy(sequences, keepFrom, sequences, 0, count - keepFrom);
            System.arraycopy(sequenceKnown, keepFrom, sequenceKnown, 0, count - keepFrom);
            count -= keepFrom;
        }
    }

    private int indexAt(long position) {
        for (int i = count - 1; i > 0; i--) {
            if (positions[i] <= position) {
                return i;
            }
        }
        return 0;
    }

    /** Timestamp (source clock) of the newest event being delivered. */
    public long timestampNs() {
        return count == 0 ? 0 : timestamps[count - 1];
    }

    /** Thread of the newest event being delivered. */
    public int tid() {
        return count == 0 ? 0 : tids[count - 1];
    }

    /** Timestamp of the event that carried the byte at a stream position. */
    public long timestampAt(long position) {
        return count == 0 ? 0 : timestamps[indexAt(position)];
    }

    /** Thread of the event that carried the byte at a stream position. */
    public int tidAt(long position) {
        return count == 0 ? 0 : tids[indexAt(position)];
    }

    /**
     * Unsigned 32-bit TCP sequence number of the byte at a stream position: exact for socket and pcap
     * bytes; for TLS plaintext, the number of the record that carried the event's first byte plus the
     * offset into the event. -1 when the capture did not know it (the event was marked: see
     * {@code DataEvent.sequenceKnown}).
     */
    public long sequenceAt(long position) {
        if (count == 0) {
            return -1;
        }
        int i = indexAt(position);
        if (!sequenceKnown[i]) {
            return -1;
        }
        return (sequences[i] + (int) (position - positions[i])) & 0xFFFF_FFFFL;
    }
}

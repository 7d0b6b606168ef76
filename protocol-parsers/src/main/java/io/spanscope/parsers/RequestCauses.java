package io.spanscope.parsers;

/**
 * The stamps the capture put on the recent outgoing chunks of one connection (causes on a client connection's
 * requests, completed calls on a server connection's responses), so that a record can take the stamp of the
 * chunk holding its request's (response's) first byte, whatever its protocol. A small ring
 * (newest entries win): only chunks that carried a cause are noted, and a record looks up one sequence
 * number. Not thread-safe; owned by one {@link TrackedConnection}.
 */
final class RequestCauses {

    static final int CAPACITY = 16;

    private final int[] startSequence = new int[CAPACITY];
    private final int[] length = new int[CAPACITY];
    private final long[] causeGeneration = new long[CAPACITY];
    private final int[] causeSequence = new int[CAPACITY];
    private int next;
    private int size;

    /** The chunk {@code [tcpSequence, tcpSequence + byteCount)} was written on behalf of the given cause. */
    void note(int tcpSequence, int byteCount, long generation, int sequence) {
        int newest = (next + CAPACITY - 1) % CAPACITY;
        if (size > 0 && causeGeneration[newest] == generation && causeSequence[newest] == sequence
                && startSequence[newest] + length[newest] == tcpSequence) {
            length[newest] += byteCount; // one request written in several syscalls
            return;
        }
        startSequence[next] = tcpSequence;
        length[next] = byteCount;
        causeGeneration[next] = generation;
        causeSequence[next] = sequence;
        next = (next + 1) % CAPACITY;
        size = Math.min(size + 1, CAPACITY);
    }

    /** Index of the noted chunk holding the byte at {@code requestSequence} (unsigned 32 bit), or -1. */
    int find(long requestSequence) {
        if (requestSequence < 0) {
            return -1;
        }
        int sequence = (int) requestSequence;
        for (int i = 0; i < size; i++) {
            int at = (next + CAPACITY - 1 - i) % CAPACITY;
            // modulo 2^32: the offset into the chunk is an unsigned difference
            if (Integer.compareUnsigned(sequence - startSequence[at], length[at]) < 0) {
                return at;
            }
        }
        return -1;
    }

    /** TCP sequence number of the first byte of the noted run at {@code index}. */
    int startAt(int index) {
        return startSequence[index];
    }

    long generationAt(int index) {
        return causeGeneration[index];
    }

    long sequenceAt(int index) {
        return Integer.toUnsignedLong(causeSequence[index]);
    }
}

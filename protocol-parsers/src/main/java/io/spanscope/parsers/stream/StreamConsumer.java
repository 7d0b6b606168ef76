package io.spanscope.parsers.stream;

/**
 * Takes one direction's bytes in stream order from a {@link StreamAssembler}. Positions count bytes
 * from the first byte the assembler saw in this direction (64-bit, so they never wrap).
 */
public interface StreamConsumer {

    /**
     * Consumes a prefix of {@code [offset, offset + length)}, whose first byte is at stream position
     * {@code position}. Bytes not consumed are kept (bounded) and presented again, followed by newer ones.
     *
     * @return how many bytes were consumed, 0 to wait for more
     */
    int onBytes(byte[] buffer, int offset, int length, long position, ChunkOrigin origin);

    /**
     * The stream range {@code [position, position + missingBytes)} will never be delivered. Any bytes
     * presented before and not consumed are discarded too (they are included in the range).
     */
    void onGap(long position, long missingBytes, ChunkOrigin origin);
}

package io.spanscope.capture.ringbuf;

import java.nio.ByteBuffer;

/**
 * Receives ring-buffer records in place. The bytes are valid only during the call (the reader hands
 * the slot back to the kernel right after): copy what must outlive it.
 */
@FunctionalInterface
public interface RawRecordHandler {

    /**
     * @param buffer the ring's data region (little-endian); the record may lie across the ring's end,
     *               which the double mapping makes contiguous
     * @param offset first byte of the record's payload in {@code buffer}
     * @param length payload bytes
     */
    void onRecord(ByteBuffer buffer, int offset, int length);
}

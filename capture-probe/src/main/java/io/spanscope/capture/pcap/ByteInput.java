package io.spanscope.capture.pcap;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Buffered, zero-copy reading of a capture file: {@link #require(int)} makes the next {@code n} bytes
 * contiguous in {@link #buffer()} at {@link #position()}; {@link #consume(int)} moves past them. The
 * buffer never grows beyond its fixed capacity, so a length field can never cause a large allocation.
 */
final class ByteInput {

    private final ReadableByteChannel channel;
    private final byte[] buffer;
    private final ByteBuffer wrapper;
    private int position;
    private int limit;
    private boolean endOfChannel;

    ByteInput(ReadableByteChannel channel, int capacity) {
        this.channel = channel;
        this.buffer = new byte[capacity];
        this.wrapper = ByteBuffer.wrap(buffer);
    }

    int capacity() {
        return buffer.length;
    }

    byte[] buffer() {
        return buffer;
    }

    int position() {
        return position;
    }

    /**
     * Makes {@code n <= capacity()} bytes available at {@link #position()}.
     *
     * @return false when the file ends first (the available remainder is {@link #available()})
     */
    boolean require(int n) throws IOException {
        if (n > buffer.length) {
            throw new IllegalArgumentException("request of " + n + " bytes exceeds the buffer of " + buffer.length);
        }
        while (limit - position < n) {
            if (endOfChannel) {
                return false;
            }
            if (buffer.length - position < n) {
                System.arraycopy(buffer, position, buffer, 0, limit - position);
                limit -= position;
                position = 0;
            }
            wrapper.limit(buffer.length).position(limit);
            int read = channel.read(wrapper);
            if (read < 0) {
                endOfChannel = true;
            } else {
                limit += read;
            }
        }
        return true;
    }

    int available() {
        return limit - position;
    }

    void consume(int n) {
        position += n;
    }

    /** Skips {@code n} bytes without buffering them; throws {@link EOFException} when the file ends first. */
    void skip(long n) throws IOException {
        long remaining = n;
        while (remaining > 0) {
            if (position == limit && !require(1)) {
                throw new EOFException("file ends inside a skipped block");
            }
            int step = (int) Math.min(remaining, limit - position);
            consume(step);
            remaining -= step;
        }
    }
}

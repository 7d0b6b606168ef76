package io.spanscope.parsers.mysql;

import java.nio.charset.StandardCharsets;

/**
 * Reads MySQL wire types (little-endian integers, length-encoded integers and strings, NUL-terminated
 * strings) from one inspected packet payload. Never reads outside its range and never throws: a read
 * past the end returns 0 / -1 / null and sets {@link #overrun()}, so a malformed packet is noticed once,
 * after the fact, instead of at every read. Reused per direction.
 */
final class PayloadCursor {

    /** What {@link #lengthEncoded()} returns for the NULL marker 0xFB. */
    static final long NULL_LENGTH = -2;

    private byte[] buffer;
    private int position;
    private int end;
    private boolean overrun;

    PayloadCursor reset(byte[] buffer, int offset, int length) {
        this.buffer = buffer;
        this.position = offset;
        this.end = offset + length;
        this.overrun = false;
        return this;
    }

    boolean overrun() {
        return overrun;
    }

    int remaining() {
        return end - position;
    }

    int position() {
        return position;
    }

    byte[] buffer() {
        return buffer;
    }

    private boolean need(int n) {
        if (n < 0 || end - position < n) {
            overrun = true;
            position = end;
            return false;
        }
        return true;
    }

    void skip(long n) {
        if (n > Integer.MAX_VALUE || !need((int) n)) {
            overrun = true;
            position = end;
            return;
        }
        position += (int) n;
    }

    int u8() {
        return need(1) ? buffer[position++] & 0xFF : -1;
    }

    int u16() {
        if (!need(2)) {
            return -1;
        }
        int v = (buffer[position] & 0xFF) | (buffer[position + 1] & 0xFF) << 8;
        position += 2;
        return v;
    }

    int u24() {
        if (!need(3)) {
            return -1;
        }
        int v = (buffer[position] & 0xFF) | (buffer[position + 1] & 0xFF) << 8 | (buffer[position + 2] & 0xFF) << 16;
        position += 3;
        return v;
    }

    long u32() {
        if (!need(4)) {
            return -1;
        }
        long v = (buffer[position] & 0xFFL) | (buffer[position + 1] & 0xFFL) << 8
                | (buffer[position + 2] & 0xFFL) << 16 | (buffer[position + 3] & 0xFFL) << 24;
        position += 4;
        return v;
    }

    /** Raw 64 bits (may be negative when read as unsigned values above 2^63). */
    long u64() {
        if (!need(8)) {
            return -1;
        }
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (buffer[position + i] & 0xFFL);
        }
        position += 8;
        return v;
    }

    /**
     * A length-encoded integer: the value, {@link #NULL_LENGTH} for 0xFB, -1 for the invalid 0xFF or
     * when the bytes run out. Values above 2^63 come out negative; callers treat negatives as invalid.
     */
    long lengthEncoded() {
        int first = u8();
        if (first < 0xFB) {
            return first;
        }
        return switch (first) {
            case 0xFB -> NULL_LENGTH;
            case 0xFC -> u16();
            case 0xFD -> u24();
            case 0xFE -> u64();
            default -> {
                overrun = true;
                yield -1;
            }
        };
    }

    /** A string that runs to the next NUL (consumed) or to the end of the payload, cut to {@code max} chars. */
    String nulTerminated(int max) {
        int start = position;
        int nul = start;
        while (nul < end && buffer[nul] != 0) {
            nul++;
        }
        position = nul < end ? nul + 1 : end;
        return decode(start, nul - start, max);
    }

    /** Skips a NUL-terminated field without decoding it (secrets, unused fields). */
    void skipNulTerminated() {
        while (position < end && buffer[position] != 0) {
            position++;
        }
        if (position < end) {
            position++;
        }
    }

    /** A length-encoded string, cut to {@code max} chars; null for NULL or when malformed. */
    String lengthEncodedString(int max) {
        long n = lengthEncoded();
        if (n < 0 || n > end - position) {
            if (n != NULL_LENGTH) {
                overrun = true;
                position = end;
            }
            return null;
        }
        String s = decode(position, (int) n, max);
        position += (int) n;
        return s;
    }

    /** The rest of the payload as a string, cut to {@code max} chars. */
    String rest(int max) {
        String s = decode(position, end - position, max);
        position = end;
        return s;
    }

    private String decode(int from, int length, int max) {
        return new String(buffer, from, Math.min(length, max), StandardCharsets.UTF_8);
    }
}

package io.spanscope.parsers.http2;

/**
 * Counts gRPC messages in one direction of one stream from the length-prefixed framing carried in DATA
 * frames (1 byte compressed flag, 4 bytes big-endian length, then the message), across frame borders,
 * without keeping any payload. After a loss the framing is unknown: counting stops and
 * {@link #lost()} says the counts are lower bounds.
 */
final class GrpcMessageCounter {

    private static final int PREFIX = 5;

    private int prefixRead;
    private int prefixLength;
    private boolean prefixCompressed;
    private long remaining;
    private long messages;
    private boolean compressed;
    private boolean lost;

    /** DATA payload bytes {@code data[from, to)}. */
    void onData(byte[] data, int from, int to) {
        if (lost) {
            return;
        }
        int p = from;
        int end = to;
        while (p < end) {
            if (remaining > 0) {
                int skip = (int) Math.min(remaining, end - p);
                remaining -= skip;
                p += skip;
                continue;
            }
            if (prefixRead == 0 && end - p >= PREFIX) {
                // The whole prefix is here (the usual case): read it at once.
                int flag = data[p];
                if (flag != 0 && flag != 1) {
                    lost = true;
                    return;
                }
                messages++;
                compressed |= flag == 1;
                remaining = ((data[p + 1] & 0xFF) << 24 | (data[p + 2] & 0xFF) << 16 | (data[p + 3] & 0xFF) << 8
                        | (data[p + 4] & 0xFF)) & 0xFFFF_FFFFL;
                p += PREFIX;
                continue;
            }
            int b = data[p++] & 0xFF;
            if (prefixRead == 0) {
                if (b > 1) {
                    // Only 0 and 1 are defined: this is not the start of a message, so framing is lost.
                    lost = true;
                    return;
                }
                prefixCompressed = b == 1;
                prefixLength = 0;
            } else {
                prefixLength = prefixLength << 8 | b;
            }
            if (++prefixRead == PREFIX) {
                prefixRead = 0;
                messages++;
                remaining = prefixLength & 0xFFFF_FFFFL;
                compressed |= prefixCompressed;
            }
        }
    }

    /** Back to a stream's start: no message seen. */
    void reset() {
        prefixRead = 0;
        prefixLength = 0;
        prefixCompressed = false;
        remaining = 0;
        messages = 0;
        compressed = false;
        lost = false;
    }

    void onLoss() {
        lost = true;
    }

    long messages() {
        return messages;
    }

    boolean anyCompressed() {
        return compressed;
    }

    boolean lost() {
        return lost;
    }
}

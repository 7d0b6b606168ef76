package io.spanscope.parsers.mysql;

import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserStats;
import io.spanscope.parsers.stream.ChunkOrigin;

/**
 * Splits one direction's bytes into MySQL packets (3-byte length, 1-byte sequence id, payload), as an
 * explicit state machine over assembled bytes:
 *
 * <pre>
 * HEADER ─listener wants the payload, whole packet ≤ inspect limit─► deliver in place ─► HEADER
 *   │   ─listener wants it, larger (or continued)─► copy prefix, SKIP rest (and continuations) ─► deliver ─► HEADER
 *   │   ─listener only counts it (rows, column definitions, auth data), all of it here─► HEADER
 *   │   ─listener only counts it, it continues in later deliveries─► SKIP ─► HEADER
 *   └─ gap where the length is unknown ─► RESYNC ─listener accepts a delivery start─► HEADER
 * </pre>
 *
 * Packets it inspects are delivered only once complete, so their bytes are in one delivery and nothing
 * is copied; packets it skips are consumed as they come, whatever their size. A gap inside a skipped
 * range keeps the framing (the length is known): the message is only marked truncated.
 */
final class MySqlPacketReader {

    /** Decides, per packet, what the protocol state needs, and takes the results. */
    interface Listener {
        /**
         * A packet starts with {@code firstByte} (-1 when empty). Returns true when its payload is not needed,
         * after taking the packet into account (it is only counted; the reader steps over it by length), or
         * false when the packet must be delivered whole to {@link #onPacket}. One call per packet: rows are
         * most packets, and deciding and counting them in one step is what their cost is made of.
         */
        boolean skipsPacket(int sequenceId, int payloadLength, int firstByte);

        /** A complete message whose payload was wanted. */
        void onPacket(MySqlPacket packet);

        /** Bytes were lost; {@code framingKept} when the reader still knows where the next packet starts. */
        void onLoss(boolean framingKept);

        /**
         * In RESYNC: whether a delivery starting here (an event start, carried at {@code timestampNs}) is a
         * packet boundary to resume at.
         */
        boolean isPlausibleStart(byte[] buffer, int offset, int length, long timestampNs);
    }

    private enum State { HEADER, SKIP, RESYNC, STOPPED }

    private final Listener listener;
    private final ParserStats stats;
    private final int inspectLimit;
    private final MySqlPacket packet = new MySqlPacket();
    private byte[] scratch = new byte[0];
    private State state = State.HEADER;
    private long skipRemaining;
    /** The packet being skipped had the maximum length: a continuation header follows. */
    private boolean continued;
    /** The message being skipped is delivered once its end is reached (its prefix is in scratch). */
    private boolean delivering;
    /** Length of a complete header presented but not consumed (waiting for its payload), or -1. */
    private int waitingPacketLength = -1;

    MySqlPacketReader(Listener listener, ParserStats stats, int inspectLimit) {
        this.listener = listener;
        this.stats = stats;
        this.inspectLimit = inspectLimit;
    }

    /** From now on bytes are only counted (TLS, compressed protocol, a hopeless connection). */
    void stop() {
        state = State.STOPPED;
    }

    boolean stopped() {
        return state == State.STOPPED;
    }

    /** Starts looking for a packet boundary (a connection joined mid-stream). */
    void resync() {
        if (state != State.STOPPED) {
            state = State.RESYNC;
            stats.countResync();
        }
    }

    int onBytes(byte[] buffer, int offset, int length, long position, ChunkOrigin origin) {
        int p = offset;
        int end = offset + length;
        waitingPacketLength = -1;
        while (p < end) {
            switch (state) {
                case STOPPED -> {
                    stats.countUnparsedBytes(end - p);
                    return length;
                }
                case RESYNC -> {
                    if (p == offset && listener.isPlausibleStart(buffer, p, end - p, origin.timestampAt(position))) {
                        state = State.HEADER;
                    } else {
                        stats.countUnparsedBytes(end - p);
                        return length;
                    }
                }
                case SKIP -> {
                    int n = (int) Math.min(skipRemaining, end - p);
                    p += n;
                    skipRemaining -= n;
                    if (skipRemaining == 0) {
                        endOfSkippedPacket(position + (p - offset) - 1, origin);
                    }
                }
                case HEADER -> {
                    int next = header(buffer, p, end, position + (p - offset), origin);
                    if (next < 0) {
                        return p - offset;
                    }
                    p = next;
                }
            }
        }
        return length;
    }

    /** Handles the packet starting at {@code p}; returns where the next one starts, or -1 to wait. */
    private int header(byte[] buffer, int p, int end, long position, ChunkOrigin origin) {
        if (end - p < 4) {
            return -1;
        }
        int payloadLength = (buffer[p] & 0xFF) | (buffer[p + 1] & 0xFF) << 8 | (buffer[p + 2] & 0xFF) << 16;
        int sequenceId = buffer[p + 3] & 0xFF;
        if (continued) {
            packet.lastSequenceId = sequenceId;
            packet.payloadLength += payloadLength;
            packet.wireBytes += 4L + payloadLength;
            return startSkip(p + 4, payloadLength, payloadLength == MySqlPacket.MAX_PAYLOAD, position + 3, origin);
        }
        if (payloadLength > 0 && end - p < 5) {
            return -1;
        }
        int firstByte = payloadLength > 0 ? buffer[p + 4] & 0xFF : -1;
        boolean more = payloadLength == MySqlPacket.MAX_PAYLOAD;
        if (listener.skipsPacket(sequenceId, payloadLength, firstByte)) {
            delivering = false;
            int next = p + 4 + payloadLength;
            if (!more && next <= end) {
                return next; // the whole packet is in this delivery: stepped over at once, no SKIP state
            }
            return startSkip(p + 4, payloadLength, more, position + 3, origin);
        }
        begin(sequenceId, payloadLength, position);
        if (!more && payloadLength <= inspectLimit) {
            if (end - p - 4 < payloadLength) {
                waitingPacketLength = payloadLength;
                return -1;
            }
            packet.buffer = buffer;
            packet.offset = p + 4;
            packet.length = payloadLength;
            finish(position + 3 + payloadLength, origin);
            return p + 4 + payloadLength;
        }
        int inspected = Math.min(payloadLength, inspectLimit);
        if (end - p - 4 < inspected) {
            waitingPacketLength = payloadLength;
            return -1;
        }
        if (scratch.length < inspected) {
            scratch = new byte[inspected];
        }
        System.arraycopy(buffer, p + 4, scratch, 0, inspected);
        packet.resolveStart(origin);
        packet.buffer = scratch;
        packet.offset = 0;
        packet.length = inspected;
        packet.truncated = inspected < payloadLength;
        if (packet.truncated) {
            stats.countDrop(DropReason.MYSQL_PACKET_TRUNCATED);
        }
        delivering = true;
        return startSkip(p + 4 + inspected, payloadLength - inspected, more, position + 3 + inspected, origin);
    }

    private void begin(int sequenceId, int payloadLength, long position) {
        MySqlPacket m = packet;
        m.sequenceId = sequenceId;
        m.lastSequenceId = sequenceId;
        m.payloadLength = payloadLength;
        m.wireBytes = 4L + payloadLength;
        m.truncated = false;
        m.startPosition = position;
        m.startResolved = false;
    }

    private void finish(long lastBytePosition, ChunkOrigin origin) {
        packet.endPosition = lastBytePosition;
        packet.origin = origin;
        listener.onPacket(packet);
        packet.origin = null;
    }

    private int startSkip(int next, long bytes, boolean more, long lastHeaderByte, ChunkOrigin origin) {
        continued = more;
        skipRemaining = bytes;
        if (bytes == 0) {
            endOfSkippedPacket(lastHeaderByte, origin);
        } else {
            state = State.SKIP;
        }
        return next;
    }

    private void endOfSkippedPacket(long lastBytePosition, ChunkOrigin origin) {
        state = State.HEADER;
        if (continued) {
            return;
        }
        if (delivering) {
            delivering = false;
            finish(lastBytePosition, origin);
        }
    }

    /**
     * {@code missingBytes} of this direction are lost, starting where consumption stopped (bytes presented
     * and not consumed are part of the range).
     */
    void onGap(long missingBytes, ChunkOrigin origin) {
        switch (state) {
            case STOPPED, RESYNC -> {
            }
            case SKIP -> {
                if (missingBytes <= skipRemaining) {
                    skipRemaining -= missingBytes;
                    packet.truncated = true;
                    listener.onLoss(true);
                    if (skipRemaining == 0) {
                        endOfSkippedPacket(-1, origin);
                    }
                } else {
                    loseFraming();
                }
            }
            case HEADER -> {
                int waiting = waitingPacketLength;
                if (!continued && waiting >= 0 && missingBytes < 4L + waiting) {
                    // the header was seen: the rest of this packet can be stepped over by length
                    listener.onLoss(true);
                    delivering = false;
                    continued = waiting == MySqlPacket.MAX_PAYLOAD;
                    skipRemaining = 4L + waiting - missingBytes;
                    state = State.SKIP;
                } else {
                    loseFraming();
                }
            }
        }
        waitingPacketLength = -1;
    }

    private void loseFraming() {
        delivering = false;
        continued = false;
        listener.onLoss(false);
        state = State.RESYNC;
        stats.countResync();
    }
}

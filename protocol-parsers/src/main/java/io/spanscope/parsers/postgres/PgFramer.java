package io.spanscope.parsers.postgres;

import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserStats;
import io.spanscope.parsers.stream.ChunkOrigin;

/**
 * Cuts one direction of a PostgreSQL connection into messages: a state machine over assembled bytes.
 *
 * <pre>
 * STARTUP (frontend: untyped length-prefixed startup-family messages) ─StartupMessage─► TYPED
 * REPLY_BYTE (backend: the one-byte answer to SSLRequest / GSSENCRequest) ─'N'─► TYPED
 * TYPED ─kept type, fits maxPostgresMessageBytes─► whole message to the listener ─► TYPED
 *       ─other type or oversized─► header to the listener, SKIP (by length, nothing buffered) ─► TYPED
 *       ─bad type or length / gap─► RESYNC ─plausible message start─► TYPED
 * ENCRYPTED (TLS or GSS accepted): every byte counted, none parsed
 * </pre>
 *
 * Messages whose content matters (queries, statement and portal names, completion tags, errors) are
 * handed over whole, which may make the assembler keep an incomplete one (bounded by
 * {@code maxPostgresMessageBytes}); row data, COPY data and authentication payloads are stepped over by
 * length and never buffered.
 */
final class PgFramer {

    enum State { STARTUP, REPLY_BYTE, TYPED, SKIP, RESYNC, ENCRYPTED }

    /** Receives the messages of one direction; positions are stream positions of the first byte. */
    interface Listener {
        /** A whole message: {@code type} 0 for an untyped startup-family message. */
        void onMessage(boolean frontend, byte type, byte[] buffer, int bodyOffset, int bodyLength, long position,
                       ChunkOrigin origin);

        /** A message stepped over: only its header was looked at ({@code oversized}: a kept type too big to keep). */
        void onSkippedMessage(boolean frontend, byte type, int bodyLength, long position, ChunkOrigin origin,
                              boolean oversized);

        /** The one-byte answer to an SSLRequest or GSSENCRequest. */
        void onReplyByte(byte reply, long position, ChunkOrigin origin);
    }

    private static final int MAX_STARTUP_LENGTH = 10_000;
    /** The protocol's own bound on a message (PostgreSQL's PQ_LARGE_MESSAGE_LIMIT is 1 GB). */
    private static final int MAX_PROTOCOL_LENGTH = 0x3FFF_FFFF;

    private final boolean frontend;
    private final Listener listener;
    private final ParserStats stats;
    private final int maxMessageBytes;
    private final byte[] kinds;
    private State state;
    private long skipRemaining;
    private boolean resyncPastFirstByte;

    PgFramer(boolean frontend, Listener listener, ParserStats stats, int maxMessageBytes) {
        this.frontend = frontend;
        this.listener = listener;
        this.stats = stats;
        this.maxMessageBytes = maxMessageBytes;
        this.kinds = PgMessageTypes.kinds(frontend);
        this.state = frontend ? State.STARTUP : State.TYPED;
    }

    State state() {
        return state;
    }

    /** The frontend sent SSLRequest / GSSENCRequest: the backend's next byte is the answer. */
    void expectReplyByte() {
        if (state == State.TYPED) {
            state = State.REPLY_BYTE;
        }
    }

    /** The frontend's startup is done (StartupMessage sent): typed messages from now on. */
    void startTyped() {
        if (state == State.STARTUP) {
            state = State.TYPED;
        }
    }

    void encrypted() {
        state = State.ENCRYPTED;
    }

    /** The start of this direction was not seen: look for a plausible message boundary first. */
    void startInResync() {
        state = State.RESYNC;
    }

    /** Bytes were lost: a skip continues by length, anything else has lost its place. */
    void onGap(long missingBytes) {
        if (state == State.SKIP && missingBytes <= skipRemaining) {
            skipRemaining -= missingBytes;
            if (skipRemaining == 0) {
                state = State.TYPED;
            }
            return;
        }
        if (state == State.SKIP || state == State.TYPED || state == State.STARTUP || state == State.REPLY_BYTE) {
            enterResync();
        }
    }

    int onBytes(byte[] buffer, int offset, int length, long position, ChunkOrigin origin) {
        int i = offset;
        int end = offset + length;
        while (i < end) {
            State before = state;
            int used = switch (state) {
                case TYPED -> typed(buffer, i, end, position + (i - offset), origin);
                case SKIP -> skip(end - i);
                case STARTUP -> startup(buffer, i, end - i, position + (i - offset), origin);
                case REPLY_BYTE -> replyByte(buffer[i], position + (i - offset), origin);
                case RESYNC -> resync(buffer, i, end - i);
                case ENCRYPTED -> encryptedBytes(end - i);
            };
            if (used == 0 && state == before) {
                break;
            }
            i += used;
        }
        return i - offset;
    }

    /**
     * Frames every whole message in {@code [from, end)} in one pass (a statement's five or six messages
     * usually arrive in one event); returns the bytes used. Stops at an incomplete message, or when the
     * state changes: a skipped message whose body runs past {@code end}, bad framing, or a listener that
     * changed this framer's state.
     */
    private int typed(byte[] b, int from, int end, long position, ChunkOrigin origin) {
        int at = from;
        while (end - at >= 5) {
            byte type = b[at];
            int length = PgBytes.int32(b, at + 1);
            byte kind = kinds[type & 0xFF];
            if (length < 4 || length > MAX_PROTOCOL_LENGTH || kind == PgMessageTypes.INVALID) {
                stats.countParseError();
                enterResync();
                break;
            }
            int bodyLength = length - 4;
            long messagePosition = position + (at - from);
            if (kind == PgMessageTypes.KEPT && length + 1 <= maxMessageBytes) {
                if (end - at < length + 1) {
                    break;
                }
                listener.onMessage(frontend, type, b, at + 5, bodyLength, messagePosition, origin);
                at += length + 1;
            } else {
                if (kind == PgMessageTypes.KEPT) {
                    stats.countDrop(DropReason.POSTGRES_MESSAGE_LIMIT);
                }
                listener.onSkippedMessage(frontend, type, bodyLength, messagePosition, origin,
                        kind == PgMessageTypes.KEPT);
                int bodyHere = end - at - 5;
                if (bodyHere < bodyLength) {
                    // the body runs past what is here: step over the rest as it arrives, never buffered
                    skipRemaining = bodyLength - bodyHere;
                    state = State.SKIP;
                    return end - from;
                }
                at += length + 1;
            }
            if (state != State.TYPED) {
                break;
            }
        }
        return at - from;
    }

    private int skip(int available) {
        int used = (int) Math.min(available, skipRemaining);
        skipRemaining -= used;
        if (skipRemaining == 0) {
            state = State.TYPED;
        }
        return used;
    }

    private int startup(byte[] b, int at, int available, long position, ChunkOrigin origin) {
        if (available < 8) {
            return 0;
        }
        int length = PgBytes.int32(b, at);
        if (length < 8 || length > MAX_STARTUP_LENGTH || length > maxMessageBytes) {
            stats.countParseError();
            enterResync();
            return 0;
        }
        if (available < length) {
            return 0;
        }
        listener.onMessage(frontend, (byte) 0, b, at + 4, length - 4, position, origin);
        return length;
    }

    private int replyByte(byte reply, long position, ChunkOrigin origin) {
        state = State.TYPED;
        if (reply == 'E') {
            // A server too old for the request answers with an error message instead: parse it as one.
            return 0;
        }
        listener.onReplyByte(reply, position, origin);
        return 1;
    }

    private int encryptedBytes(int available) {
        stats.countUnparsedBytes(available);
        return available;
    }

    private void enterResync() {
        state = State.RESYNC;
        resyncPastFirstByte = true;
        skipRemaining = 0;
        stats.countResync();
    }

    /**
     * Skips to the first place a message plausibly starts; keeps an unconfirmed candidate (returns
     * before it) until enough bytes arrive to judge it. The byte where framing failed is never a
     * candidate again, so every failure makes progress.
     */
    private int resync(byte[] b, int at, int available) {
        int from = at;
        if (resyncPastFirstByte) {
            resyncPastFirstByte = false;
            from++;
        }
        for (int i = from; i < at + available; i++) {
            int verdict = PgMessageTypes.plausibleStart(frontend, b, i, at + available - i, maxMessageBytes);
            if (verdict == PgMessageTypes.NOT_A_START) {
                continue;
            }
            if (verdict == PgMessageTypes.PLAUSIBLE) {
                state = State.TYPED;
            }
            stats.countUnparsedBytes(i - at);
            return i - at;
        }
        stats.countUnparsedBytes(available);
        return available;
    }
}

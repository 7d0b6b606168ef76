package io.spanscope.parsers.http2;

/**
 * The 9-byte HTTP/2 frame header (RFC 9113 §4.1), read straight from assembled bytes, and the
 * plausibility rules used to find frame boundaries where the stream position of one is not known
 * (a connection joined mid-stream, or after a gap), and the fixed-size fields of frame payloads.
 */
final class FrameHeader {

    static final int LENGTH = 9;

    static final int DATA = 0x0;
    static final int HEADERS = 0x1;
    static final int PRIORITY = 0x2;
    static final int RST_STREAM = 0x3;
    static final int SETTINGS = 0x4;
    static final int PUSH_PROMISE = 0x5;
    static final int PING = 0x6;
    static final int GOAWAY = 0x7;
    static final int WINDOW_UPDATE = 0x8;
    static final int CONTINUATION = 0x9;

    static final int FLAG_END_STREAM = 0x1;
    static final int FLAG_ACK = 0x1;
    static final int FLAG_END_HEADERS = 0x4;
    static final int FLAG_PADDED = 0x8;

    private static final int SETTINGS_ENABLE_PUSH = 0x2;
    private static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    private static final int SETTINGS_MAX_FRAME_SIZE = 0x5;

    /** Frames larger than the default SETTINGS_MAX_FRAME_SIZE are rare enough to refuse them as boundaries. */
    private static final int PLAUSIBLE_MAX_PAYLOAD = 16_384;

    /** Defined flag bits per frame type; anything else set means "not a frame start". */
    private static final int[] ALLOWED_FLAGS = {
            0x09,       // DATA: END_STREAM, PADDED
            0x2D,       // HEADERS: END_STREAM, END_HEADERS, PADDED, PRIORITY
            0x00,       // PRIORITY
            0x00,       // RST_STREAM
            0x01,       // SETTINGS: ACK
            0x0C,       // PUSH_PROMISE: END_HEADERS, PADDED
            0x01,       // PING: ACK
            0x00,       // GOAWAY
            0x00,       // WINDOW_UPDATE
            0x04,       // CONTINUATION: END_HEADERS
    };

    private FrameHeader() {
    }

    static int payloadLength(byte[] b, int at) {
        return (b[at] & 0xFF) << 16 | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF);
    }

    static int type(byte[] b, int at) {
        return b[at + 3] & 0xFF;
    }

    static int flags(byte[] b, int at) {
        return b[at + 4] & 0xFF;
    }

    static int streamId(byte[] b, int at) {
        return ((b[at + 5] & 0x7F) << 24) | (b[at + 6] & 0xFF) << 16 | (b[at + 7] & 0xFF) << 8 | (b[at + 8] & 0xFF);
    }

    /** A 31-bit field (stream id, window increment) whose reserved top bit is ignored. */
    static int int31(byte[] b, int at) {
        return ((b[at] & 0x7F) << 24) | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    static long uint32(byte[] b, int at) {
        return ((long) (b[at] & 0xFF) << 24) | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    /** The values RFC 9113 §6.5.2 bounds are within bounds (unknown settings are ignored, §6.5.2). */
    static boolean validSettings(byte[] b, int at, int payload) {
        for (int p = at; p < at + payload; p += 6) {
            int id = (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF);
            long value = uint32(b, p + 2);
            boolean valid = switch (id) {
                case SETTINGS_ENABLE_PUSH -> value <= 1;
                case SETTINGS_INITIAL_WINDOW_SIZE -> value <= Integer.MAX_VALUE;
                case SETTINGS_MAX_FRAME_SIZE -> value >= 16_384 && value <= 16_777_215;
                default -> true;
            };
            if (!valid) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a well-behaved peer could have sent this header: known type, only that type's flags, the
     * reserved bit clear, the stream id rule and fixed payload size of the type, a default-sized payload.
     * Strict on purpose: it decides where a mid-stream parse begins and what counts as HTTP/2 at all.
     */
    static boolean plausible(byte[] b, int at) {
        int type = type(b, at);
        if (type > CONTINUATION || (flags(b, at) & ~ALLOWED_FLAGS[type]) != 0 || (b[at + 5] & 0x80) != 0) {
            return false;
        }
        int length = payloadLength(b, at);
        if (length > PLAUSIBLE_MAX_PAYLOAD) {
            return false;
        }
        boolean connectionLevel = streamId(b, at) == 0;
        switch (type) {
            case SETTINGS:
                return connectionLevel && length % 6 == 0 && ((flags(b, at) & 1) == 0 || length == 0);
            case PING:
                return connectionLevel && length == 8;
            case GOAWAY:
                return connectionLevel && length >= 8;
            case WINDOW_UPDATE:
                return length == 4;
            case RST_STREAM:
                return !connectionLevel && length == 4;
            case PRIORITY:
                return !connectionLevel && length == 5;
            default:
                return !connectionLevel;
        }
    }

    /**
     * Whether the first {@code n} (&lt; 9) bytes of a frame header can still begin a plausible one: the
     * rules of {@link #plausible} that those bytes decide.
     */
    static boolean plausiblePrefix(byte[] b, int at, int n) {
        if (n >= 3 && payloadLength(b, at) > PLAUSIBLE_MAX_PAYLOAD) {
            return false;
        }
        if (n < 4) {
            return n < 1 || (b[at] & 0xFF) == 0;
        }
        int type = type(b, at);
        if (type > CONTINUATION) {
            return false;
        }
        int length = payloadLength(b, at);
        boolean lengthFits = switch (type) {
            case SETTINGS -> length % 6 == 0;
            case PING -> length == 8;
            case GOAWAY -> length >= 8;
            case WINDOW_UPDATE, RST_STREAM -> length == 4;
            case PRIORITY -> length == 5;
            default -> true;
        };
        return lengthFits && (n < 5 || (flags(b, at) & ~ALLOWED_FLAGS[type]) == 0)
                && (n < 6 || (b[at + 5] & 0x80) == 0);
    }

    static final int CHAIN_NO = 0;
    static final int CHAIN_YES = 1;
    static final int CHAIN_NEED_MORE = -1;

    /** Plausible frames in a row that make a frame boundary certain enough. */
    private static final int CONVINCING_CHAIN = 3;

    /**
     * Whether bytes from {@code at} read as HTTP/2 frames: {@value #CONVINCING_CHAIN} plausible frames in
     * a row, or fewer that end exactly where the bytes end (one event is often exactly one or two frames).
     *
     * @return {@link #CHAIN_YES}, {@link #CHAIN_NO}, or {@link #CHAIN_NEED_MORE} when every header so far
     *         is plausible but the bytes end inside a frame
     */
    static int chainAt(byte[] b, int at, int end) {
        int p = at;
        for (int frames = 0; frames < CONVINCING_CHAIN; frames++) {
            if (p == end && frames > 0) {
                return CHAIN_YES;
            }
            if (end - p < LENGTH) {
                return plausiblePrefix(b, p, end - p) ? CHAIN_NEED_MORE : CHAIN_NO;
            }
            if (!plausible(b, p)) {
                return CHAIN_NO;
            }
            p += LENGTH + payloadLength(b, p);
            if (p > end) {
                return CHAIN_NEED_MORE;
            }
        }
        return CHAIN_YES;
    }
}

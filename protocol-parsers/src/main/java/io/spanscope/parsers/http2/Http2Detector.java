package io.spanscope.parsers.http2;

import io.spanscope.parsers.detect.Detection;
import io.spanscope.parsers.detect.Http2PrefaceDetector;
import io.spanscope.parsers.detect.ProtocolDetector;
import io.spanscope.parsers.record.Protocol;

/**
 * HTTP/2 from the client preface, or, on a connection whose start was not seen, from a run of plausible
 * frames (see {@link FrameHeader#chainAt}). A frame run is attributed to the client when it carries a
 * HEADERS block that begins with a request pseudo-header from the static table, and to the server when it
 * begins with {@code :status}; otherwise it is taken as client bytes (the role is usually known from the
 * capture anyway).
 */
final class Http2Detector implements ProtocolDetector {

    private final Http2PrefaceDetector preface = new Http2PrefaceDetector();

    @Override
    public Detection detect(byte[] buffer, int offset, int length) {
        Detection byPreface = preface.detect(buffer, offset, length);
        if (byPreface.verdict() != Detection.Verdict.NO_MATCH) {
            return byPreface;
        }
        int end = offset + length;
        int chain = FrameHeader.chainAt(buffer, offset, end);
        if (chain == FrameHeader.CHAIN_NEED_MORE) {
            return Detection.NEED_MORE;
        }
        if (chain == FrameHeader.CHAIN_NO) {
            return Detection.NO_MATCH;
        }
        return fromServer(buffer, offset, end) ? Detection.serverBytes(Protocol.HTTP2)
                : Detection.clientBytes(Protocol.HTTP2);
    }

    @Override
    public int findMessageStart(byte[] buffer, int offset, int length) {
        int end = offset + length;
        for (int p = offset; p + FrameHeader.LENGTH <= end; p++) {
            if (FrameHeader.plausible(buffer, p) && FrameHeader.chainAt(buffer, p, end) != FrameHeader.CHAIN_NO) {
                return p;
            }
        }
        return -1;
    }

    /** The first HEADERS frame's block starts with {@code :status} (static indices 8-14, or literal name 8). */
    private static boolean fromServer(byte[] b, int at, int end) {
        for (int p = at; p + FrameHeader.LENGTH < end; p += FrameHeader.LENGTH + FrameHeader.payloadLength(b, p)) {
            if (FrameHeader.type(b, p) != FrameHeader.HEADERS) {
                continue;
            }
            int first = p + FrameHeader.LENGTH + headersPrefix(FrameHeader.flags(b, p));
            if (first >= end) {
                return false;
            }
            int field = b[first] & 0xFF;
            if ((field & 0x80) != 0) {
                int index = field & 0x7F;
                return index >= 8 && index <= 14;
            }
            int nameIndex = (field & 0x40) != 0 ? field & 0x3F : field & 0x0F;
            return nameIndex == 8;
        }
        return false;
    }

    /** Pad length byte and priority fields in front of a HEADERS block. */
    static int headersPrefix(int flags) {
        return ((flags & 0x08) != 0 ? 1 : 0) + ((flags & 0x20) != 0 ? 5 : 0);
    }
}

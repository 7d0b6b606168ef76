package io.spanscope.parsers.detect;

import io.spanscope.parsers.record.Protocol;

/**
 * The MySQL server greeting, Initial Handshake Packet v10: a 3-byte length, sequence id 0, protocol
 * version 10, then a NUL-terminated printable server version. Sent by the server before anything else.
 */
public final class MySqlDetector implements ProtocolDetector {

    private static final int MAX_VERSION_LENGTH = 64;

    @Override
    public Detection detect(byte[] buffer, int offset, int length) {
        if (length < 5) {
            return length >= 4 && buffer[offset + 3] != 0 ? Detection.NO_MATCH : Detection.NEED_MORE;
        }
        int payloadLength = (buffer[offset] & 0xFF) | (buffer[offset + 1] & 0xFF) << 8 | (buffer[offset + 2] & 0xFF) << 16;
        if (buffer[offset + 3] != 0 || buffer[offset + 4] != 10 || payloadLength < 32 || payloadLength > 1024) {
            return Detection.NO_MATCH;
        }
        for (int i = offset + 5; i < offset + length && i < offset + 5 + MAX_VERSION_LENGTH; i++) {
            int c = buffer[i] & 0xFF;
            if (c == 0) {
                return i > offset + 5 ? Detection.serverBytes(Protocol.MYSQL) : Detection.NO_MATCH;
            }
            if (c < 0x20 || c > 0x7E) {
                return Detection.NO_MATCH;
            }
        }
        return length < 5 + MAX_VERSION_LENGTH ? Detection.NEED_MORE : Detection.NO_MATCH;
    }
}

package io.spanscope.parsers.detect;

import io.spanscope.parsers.record.Protocol;

/**
 * The first message a PostgreSQL client sends: StartupMessage (protocol 3.x), SSLRequest, GSSENCRequest
 * or CancelRequest. None has a type byte; all are an int32 length then an int32 code.
 */
public final class PostgresDetector implements ProtocolDetector {

    private static final int PROTOCOL_3 = 3 << 16;
    private static final int SSL_REQUEST = 80877103;
    private static final int GSSENC_REQUEST = 80877104;
    private static final int CANCEL_REQUEST = 80877102;
    private static final int MAX_STARTUP_LENGTH = 10_000;

    @Override
    public Detection detect(byte[] buffer, int offset, int length) {
        if (length < 8) {
            return length > 0 && buffer[offset] != 0 ? Detection.NO_MATCH : Detection.NEED_MORE;
        }
        int messageLength = readInt(buffer, offset);
        int code = readInt(buffer, offset + 4);
        boolean startup = (code & 0xFFFF_0000) == PROTOCOL_3 && messageLength >= 8 && messageLength <= MAX_STARTUP_LENGTH;
        boolean request = (code == SSL_REQUEST || code == GSSENC_REQUEST) && messageLength == 8;
        boolean cancel = code == CANCEL_REQUEST && messageLength == 16;
        return startup || request || cancel ? Detection.clientBytes(Protocol.POSTGRESQL) : Detection.NO_MATCH;
    }

    private static int readInt(byte[] b, int i) {
        return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }
}

package io.spanscope.parsers.mysql;

import io.spanscope.parsers.detect.Detection;
import io.spanscope.parsers.detect.MySqlDetector;
import io.spanscope.parsers.detect.ProtocolDetector;
import io.spanscope.parsers.record.Protocol;

/**
 * Recognises a MySQL connection by the server greeting ({@link MySqlDetector}); by the handshake response
 * that opens the TLS plaintext of a connection whose client sent an SSL request (sequence id 2, the
 * request was 1; the greeting stayed in the socket view); or, on a connection joined mid-stream, by a
 * client command packet that starts a delivery: a COM_QUERY or COM_STMT_PREPARE whose text looks like
 * SQL, or a COM_STMT_EXECUTE with its fixed header (so an execution of a statement prepared before
 * capture began is not lost).
 */
final class MySqlStartDetector implements ProtocolDetector {

    private static final int TEXT_CHECKED = 8;
    /** Capabilities (4), max packet size (4), character set (1), filler (23): the fixed part of a login. */
    private static final int LOGIN_FIXED_LENGTH = 32;
    /** Filler bytes always zero: MariaDB puts its extended capabilities in the last 4 of the 23. */
    private static final int LOGIN_ZERO_FILLER = 19;

    private final MySqlDetector greeting = new MySqlDetector();

    @Override
    public Detection detect(byte[] buffer, int offset, int length) {
        Detection d = greeting.detect(buffer, offset, length);
        if (d.verdict() != Detection.Verdict.NO_MATCH) {
            return d;
        }
        d = tlsHandshakeResponse(buffer, offset, length);
        if (d.verdict() != Detection.Verdict.NO_MATCH) {
            return d;
        }
        return command(buffer, offset, length);
    }

    /**
     * A Protocol 4.1 handshake response with sequence id 2 and CLIENT_SSL: only the plaintext of a TLS
     * connection starts with it. Its fixed part (capabilities, zero filler) and a user name follow.
     */
    private static Detection tlsHandshakeResponse(byte[] b, int offset, int length) {
        if (length < 4) {
            return Detection.NEED_MORE;
        }
        int payloadLength = (b[offset] & 0xFF) | (b[offset + 1] & 0xFF) << 8 | (b[offset + 2] & 0xFF) << 16;
        if (b[offset + 3] != 2 || payloadLength <= LOGIN_FIXED_LENGTH) {
            return Detection.NO_MATCH;
        }
        if (length < 4 + LOGIN_FIXED_LENGTH) {
            return Detection.NEED_MORE;
        }
        long capabilities = (b[offset + 4] & 0xFF) | (b[offset + 5] & 0xFF) << 8 | (b[offset + 6] & 0xFF) << 16;
        long required = MySqlProtocol.CLIENT_PROTOCOL_41 | MySqlProtocol.CLIENT_SSL;
        if ((capabilities & required) != required) {
            return Detection.NO_MATCH;
        }
        int filler = offset + 4 + 9;
        for (int i = filler; i < filler + LOGIN_ZERO_FILLER; i++) {
            if (b[i] != 0) {
                return Detection.NO_MATCH;
            }
        }
        return Detection.clientBytes(Protocol.MYSQL);
    }

    private static Detection command(byte[] b, int offset, int length) {
        if (length < 5) {
            return Detection.NO_MATCH;
        }
        int payloadLength = (b[offset] & 0xFF) | (b[offset + 1] & 0xFF) << 8 | (b[offset + 2] & 0xFF) << 16;
        if (b[offset + 3] != 0 || payloadLength < 2) {
            return Detection.NO_MATCH;
        }
        int command = b[offset + 4] & 0xFF;
        if (command == MySqlProtocol.COM_QUERY || command == MySqlProtocol.COM_STMT_PREPARE) {
            int text = Math.min(payloadLength - 1, TEXT_CHECKED);
            if (length < 5 + text) {
                return Detection.NEED_MORE;
            }
            return looksLikeSql(b, offset + 5, text) ? Detection.clientBytes(Protocol.MYSQL) : Detection.NO_MATCH;
        }
        if (command == MySqlProtocol.COM_STMT_EXECUTE) {
            if (payloadLength < 10) {
                return Detection.NO_MATCH;
            }
            if (length < 5 + 9) {
                return Detection.NEED_MORE;
            }
            int flags = b[offset + 9] & 0xFF;
            boolean once = b[offset + 10] == 1 && b[offset + 11] == 0 && b[offset + 12] == 0 && b[offset + 13] == 0;
            return flags <= 0x0F && once ? Detection.clientBytes(Protocol.MYSQL) : Detection.NO_MATCH;
        }
        return Detection.NO_MATCH;
    }

    private static boolean looksLikeSql(byte[] b, int from, int n) {
        int first = b[from] & 0xFF;
        if (!(Character.isLetter(first) || first == '(' || first == '/' || first == ' ' || first == '\n')) {
            return false;
        }
        for (int i = from; i < from + n; i++) {
            int c = b[i] & 0xFF;
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7F) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int findMessageStart(byte[] buffer, int offset, int length) {
        for (int i = offset; i + 5 <= offset + length; i++) {
            if (buffer[i + 3] == 0 && command(buffer, i, offset + length - i).verdict() != Detection.Verdict.NO_MATCH) {
                return i;
            }
        }
        return -1;
    }
}

package io.spanscope.parsers.mysql;

import io.spanscope.parsers.detect.Detection;
import io.spanscope.parsers.detect.MySqlDetector;
import io.spanscope.parsers.detect.ProtocolDetector;
import io.spanscope.parsers.record.Protocol;

/**
 * Recognises a MySQL connection by the server greeting ({@link MySqlDetector}) or, on a connection
 * joined mid-stream, by a client command packet that starts a delivery: a COM_QUERY or COM_STMT_PREPARE
 * whose text looks like SQL, or a COM_STMT_EXECUTE with its fixed header (so an execution of a statement
 * prepared before capture began is not lost).
 */
final class MySqlStartDetector implements ProtocolDetector {

    private static final int TEXT_CHECKED = 8;

    private final MySqlDetector greeting = new MySqlDetector();

    @Override
    public Detection detect(byte[] buffer, int offset, int length) {
        Detection d = greeting.detect(buffer, offset, length);
        if (d.verdict() != Detection.Verdict.NO_MATCH) {
            return d;
        }
        return command(buffer, offset, length);
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

package io.spanscope.parsers.postgres;

import io.spanscope.parsers.detect.Detection;
import io.spanscope.parsers.detect.PostgresDetector;
import io.spanscope.parsers.detect.ProtocolDetector;
import io.spanscope.parsers.record.Protocol;

/**
 * Recognises PostgreSQL from its startup-family messages ({@link PostgresDetector}) and, on a
 * connection joined mid-stream, from a complete Query, Parse or Bind message whose fields fill its
 * declared length exactly: strict enough not to claim other protocols' streams.
 */
final class PgDetector implements ProtocolDetector {

    private final PostgresDetector startup = new PostgresDetector();
    private final int maxMessageBytes;

    PgDetector(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public Detection detect(byte[] buffer, int offset, int length) {
        Detection verdict = startup.detect(buffer, offset, length);
        if (verdict.verdict() != Detection.Verdict.NO_MATCH || length == 0) {
            return verdict;
        }
        byte type = buffer[offset];
        if (type != 'Q' && type != 'P' && type != 'B') {
            return Detection.NO_MATCH;
        }
        return switch (PgMessageTypes.plausibleStart(true, buffer, offset, length, maxMessageBytes)) {
            case PgMessageTypes.PLAUSIBLE -> Detection.clientBytes(Protocol.POSTGRESQL);
            case PgMessageTypes.UNDECIDED -> Detection.NEED_MORE;
            default -> Detection.NO_MATCH;
        };
    }

    @Override
    public int findMessageStart(byte[] buffer, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            byte type = buffer[i];
            if ((type == 'Q' || type == 'P' || type == 'B')
                    && PgMessageTypes.plausibleStart(true, buffer, i, offset + length - i, maxMessageBytes)
                    != PgMessageTypes.NOT_A_START) {
                return i;
            }
        }
        return -1;
    }
}

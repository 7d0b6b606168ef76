package io.spanscope.spans;

import io.spanscope.parsers.record.Record;
import java.util.Set;

/**
 * Records that must not become spans of their own: interim reports of a still-open HTTP/2 stream (the final
 * record of the stream follows with the same sequence numbers, hence the same span id) and MySQL commands
 * that by protocol get no answer (closing a statement, streaming its long data, quitting) — bookkeeping of
 * the driver, not operations a user looks for.
 */
final class SpanWorthiness {

    private static final Set<String> UNANSWERED_MYSQL_COMMANDS = Set.of("COM_QUIT", "COM_STMT_CLOSE",
            "COM_STMT_SEND_LONG_DATA");

    private SpanWorthiness() {
    }

    static boolean skip(Record record) {
        if (Boolean.TRUE.equals(record.attributes().get("spanscope.http2.partial"))) {
            return true;
        }
        String command = record.attributes().getString("spanscope.mysql.command");
        return command != null && UNANSWERED_MYSQL_COMMANDS.contains(command);
    }
}

package io.spanscope.parsers.postgres;

import io.spanscope.parsers.record.Attributes;
import io.spanscope.parsers.record.ConnectionInfo;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordFlag;

import java.util.List;
import java.util.Objects;

/**
 * Turns a finished {@link PgExchange} into a {@link Record} with OpenTelemetry database attributes, and
 * keeps what the StartupMessage said about the session (user, database, application name).
 */
final class PgRecordFactory {

    static final String SYSTEM = "postgresql";
    private static final String[] PARAMETER_KEYS = new String[64];
    private static final RecordFlag[] FLAGS = RecordFlag.values();

    static {
        for (int i = 0; i < PARAMETER_KEYS.length; i++) {
            PARAMETER_KEYS[i] = "db.query.parameter." + i;
        }
    }

    private final ConnectionInfo connection;
    private final boolean mask;
    private final Attributes.Builder attributes = Attributes.builder();
    private String user;
    private String database;
    private String applicationName;

    PgRecordFactory(ConnectionInfo connection, boolean mask) {
        this.connection = connection;
        this.mask = mask;
    }

    /** Error messages can quote values the client sent, so they are kept only when literals are. */
    boolean keepsErrorMessages() {
        return !mask;
    }

    /** The name/value pairs of a StartupMessage (after the protocol version); never the password. */
    void onStartupParameters(byte[] b, int from, int end) {
        int i = from;
        while (i < end && b[i] != 0) {
            int nameEnd = PgBytes.nul(b, i, end);
            int valueEnd = nameEnd < 0 ? -1 : PgBytes.nul(b, nameEnd + 1, end);
            if (valueEnd < 0) {
                return;
            }
            String value = PgBytes.utf8(b, nameEnd + 1, valueEnd);
            if (PgBytes.equalsAscii(b, i, nameEnd, "user")) {
                user = value;
            } else if (PgBytes.equalsAscii(b, i, nameEnd, "database")) {
                database = value;
            } else if (PgBytes.equalsAscii(b, i, nameEnd, "application_name")) {
                applicationName = value;
            }
            i = valueEnd + 1;
        }
        if (database == null) {
            database = user;  // the server's default when the client names no database
        }
    }

    Record build(PgExchange e) {
        Record.Builder record = Record.builder()
                .protocol(Protocol.POSTGRESQL)
                .connection(connection)
                .request(e.requestTid, e.requestStartNs, Math.max(e.requestEndNs, e.requestStartNs), e.requestSequence,
                        e.requestBytes)
                .attributes(attributes(e));
        if (e.responseStarted) {
            // an exchange cut short keeps its last known end: the start of its response
            record.response(e.responseTid, e.responseStartNs, Math.max(e.responseEndNs, e.responseStartNs),
                    e.responseSequence, e.responseBytes);
        }
        if (e.flags != 0) {
            for (RecordFlag flag : FLAGS) {
                if ((e.flags & PostgresHandler.flag(flag)) != 0) {
                    record.flag(flag);
                }
            }
        }
        if (!e.responseStarted && (e.flags & PostgresHandler.flag(RecordFlag.RESPONSE_INCOMPLETE)) == 0) {
            record.flag(RecordFlag.RESPONSE_MISSING);
        }
        if (connection.joinedMidStream()) {
            record.flag(RecordFlag.JOINED_MID_STREAM);
        }
        return record.build();
    }

    /**
     * The attributes of a record. A statement that ran plainly (no error, notice, COPY, kept parameters)
     * with the same outcome as its previous execution on this connection shares that execution's
     * immutable attributes: OLTP clients run the same few statements over and over.
     */
    private Attributes attributes(PgExchange e) {
        PgStatement statement = e.statementText == null ? e.statement : null;
        boolean plain = statement != null && e.sqlState == null && e.parameters == null && !e.suspended
                && e.copyInBytes == 0 && e.copyOutBytes == 0 && e.notices == 0 && e.notifications == 0;
        if (plain && statement.lastAttributes != null && statement.lastTag == e.commandTag
                && statement.lastRows == rowsOf(e) && statement.lastParameterCount == e.parameterCount
                && Objects.equals(statement.lastStatementName, e.statementName)) {
            return statement.lastAttributes;
        }
        Attributes built = buildAttributes(e);
        if (plain) {
            statement.lastAttributes = built;
            statement.lastTag = e.commandTag;
            statement.lastRows = rowsOf(e);
            statement.lastParameterCount = e.parameterCount;
            statement.lastStatementName = e.statementName;
        }
        return built;
    }

    /** Rows returned (positive) or affected (negative, offset by one) or none: one number to compare. */
    private static long rowsOf(PgExchange e) {
        if (returnsRows(e)) {
            return e.dataRows;
        }
        return e.tagRows >= 0 ? -1 - e.tagRows : Long.MIN_VALUE;
    }

    private static boolean returnsRows(PgExchange e) {
        return e.columnCount >= 0 || e.dataRows > 0 || "SELECT".equals(e.commandTag) || "FETCH".equals(e.commandTag);
    }

    private Attributes buildAttributes(PgExchange e) {
        Attributes.Builder a = attributes.clear().put("db.system.name", SYSTEM).put("db.namespace", database);
        SqlText.Summary summary = summary(e);
        if (summary != null) {
            a.put("db.query.text", summary.text());
        }
        String operation = e.commandTag != null ? e.commandTag : summary != null ? summary.operation() : null;
        a.put("db.operation.name", operation);
        if (summary != null) {
            a.put("db.collection.name", summary.collection());
        }
        if (returnsRows(e)) {
            a.put("db.response.returned_rows", e.dataRows);
        } else if (e.tagRows >= 0) {
            a.put("spanscope.postgresql.affected_rows", e.tagRows);
        }
        if (e.sqlState != null) {
            a.put("db.response.status_code", e.sqlState).put("error.type", e.sqlState)
                    .put("spanscope.postgresql.error_severity", e.severity)
                    .put("spanscope.postgresql.error_message", e.errorMessage);
        }
        a.put("spanscope.postgresql.statement_name", e.statementName);
        if (e.parameterCount > 0) {
            a.put("spanscope.postgresql.parameter_count", e.parameterCount);
        }
        if (e.parameters != null) {
            List<String> values = e.parameters;
            for (int i = 0; i < values.size() && i < PARAMETER_KEYS.length; i++) {
                a.put(PARAMETER_KEYS[i], values.get(i));
            }
        }
        if (e.columnCount >= 0 && summary == null) {
            a.put("spanscope.postgresql.column_count", e.columnCount);
        }
        if (e.suspended) {
            a.put("spanscope.postgresql.portal_suspended", Boolean.TRUE);
        }
        if (e.copyInBytes > 0) {
            a.put("spanscope.postgresql.copy_in_bytes", e.copyInBytes);
        }
        if (e.copyOutBytes > 0) {
            a.put("spanscope.postgresql.copy_out_bytes", e.copyOutBytes);
        }
        if (e.notices > 0) {
            a.put("spanscope.postgresql.notices", (long) e.notices);
        }
        if (e.notifications > 0) {
            a.put("spanscope.postgresql.notifications", (long) e.notifications);
        }
        a.put("spanscope.postgresql.user", user).put("spanscope.postgresql.application_name", applicationName);
        return a.build();
    }

    private SqlText.Summary summary(PgExchange e) {
        if (e.statementText != null) {
            return SqlText.summarize(e.statementText, mask);
        }
        return e.statement != null ? e.statement.summary() : null;
    }
}

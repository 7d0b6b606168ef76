package io.spanscope.parsers.mysql;

import io.spanscope.parsers.record.Attributes;
import io.spanscope.parsers.record.ConnectionInfo;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordFlag;

import java.util.List;

import static io.spanscope.parsers.mysql.MySqlProtocol.*;

/**
 * Turns a finished exchange into a {@link Record} with OpenTelemetry database attribute names. Clients
 * repeat the same statement with the same outcome (a pool's health check, a hot lookup): when everything
 * the attributes are made of equals the previous record's, that record's immutable attributes are reused
 * instead of built again.
 */
final class MySqlRecordFactory {

    static final String COMMAND = "spanscope.mysql.command";
    static final String STATEMENT_ID = "spanscope.mysql.statement_id";
    static final String AFFECTED_ROWS = "spanscope.mysql.affected_rows";
    static final String LAST_INSERT_ID = "spanscope.mysql.last_insert_id";
    static final String WARNINGS = "spanscope.mysql.warnings";
    static final String RESULT_SETS = "spanscope.mysql.result_sets";
    static final String SQLSTATE = "spanscope.mysql.sqlstate";
    static final String ERROR_MESSAGE = "spanscope.mysql.error_message";
    static final String USER = "spanscope.mysql.user";
    static final String SERVER_VERSION = "spanscope.mysql.server_version";
    static final String PARAMETER_COUNT = "spanscope.mysql.parameter_count";
    static final String PARAMETER_PREFIX = "db.query.parameter.";

    private static final String[] OPERATION_NAMES = new String[256];

    static {
        for (int i = 0; i < 256; i++) {
            String name = commandName(i);
            OPERATION_NAMES[i] = name == null ? null : name.substring("COM_".length());
        }
    }

    private final ConnectionInfo connection;
    private final MySqlSession session;
    private final Attributes.Builder attributes = Attributes.builder();
    private final AttributeInputs lastInputs = new AttributeInputs();
    private Attributes lastAttributes;

    MySqlRecordFactory(ConnectionInfo connection, MySqlSession session) {
        this.connection = connection;
        this.session = session;
    }

    Record build(MySqlExchange ex) {
        Record.Builder record = Record.builder()
                .protocol(Protocol.MYSQL)
                .connection(connection)
                .request(ex.requestTid, ex.requestStartNs, ex.requestEndNs, ex.requestSequence, ex.requestBytes)
                .attributes(cachedAttributes(ex));
        if (ex.responseSequence >= 0) {
            record.response(ex.responseTid, ex.responseStartNs, ex.responseEndNs, ex.responseSequence, ex.responseBytes);
        }
        flags(record, ex);
        return record.build();
    }

    private void flags(Record.Builder record, MySqlExchange ex) {
        if (ex.expectsResponse && ex.responseSequence < 0) {
            record.flag(RecordFlag.RESPONSE_MISSING);
        } else if (ex.expectsResponse && (ex.state != MySqlExchange.ResponseState.DONE
                || (ex.flags & MySqlExchange.RESPONSE_INCOMPLETE) != 0)) {
            record.flag(RecordFlag.RESPONSE_INCOMPLETE);
        }
        if ((ex.flags & MySqlExchange.GAP_IN_REQUEST) != 0) {
            record.flag(RecordFlag.GAP_IN_REQUEST);
        }
        if ((ex.flags & MySqlExchange.GAP_IN_RESPONSE) != 0) {
            record.flag(RecordFlag.GAP_IN_RESPONSE);
        }
        if ((ex.flags & MySqlExchange.TRUNCATED) != 0) {
            record.flag(RecordFlag.TRUNCATED_BODY);
        }
        if ((ex.flags & MySqlExchange.MALFORMED) != 0) {
            record.flag(RecordFlag.MALFORMED);
        }
        if (connection.joinedMidStream()) {
            record.flag(RecordFlag.JOINED_MID_STREAM);
        }
    }

    private Attributes cachedAttributes(MySqlExchange ex) {
        if (lastAttributes != null && lastInputs.sameAs(ex, session)) {
            return lastAttributes;
        }
        Attributes built = attributes(ex);
        lastAttributes = lastInputs.remember(ex, session) ? built : null;
        return built;
    }

    private Attributes attributes(MySqlExchange ex) {
        Attributes.Builder a = attributes.clear()
                .put("db.system.name", session.systemName)
                .put("db.namespace", ex.schema);
        boolean sqlCommand = ex.command == COM_QUERY || ex.command == COM_STMT_PREPARE
                || ex.command == COM_STMT_EXECUTE || ex.command == COM_STMT_FETCH || ex.command == COM_STMT_BULK_EXECUTE;
        SqlStatement sql = ex.sql;
        if (sql != null && sqlCommand) {
            a.put("db.query.text", sql.text())
                    .put("db.operation.name", sql.operation())
                    .put("db.collection.name", sql.collection());
        } else {
            a.put("db.operation.name", OPERATION_NAMES[ex.command & 0xFF]);
        }
        a.put(COMMAND, commandName(ex.command & 0xFF));
        if (ex.statementId >= 0) {
            a.put(STATEMENT_ID, ex.statementId);
        }
        if (ex.parameterCount >= 0) {
            a.put(PARAMETER_COUNT, ex.parameterCount);
        }
        List<String> parameters = ex.parameters;
        if (parameters != null) {
            for (int i = 0; i < parameters.size(); i++) {
                a.put(PARAMETER_PREFIX + i, parameters.get(i) == null ? "NULL" : parameters.get(i));
            }
        }
        if (ex.resultSets > 0) {
            a.put("db.response.returned_rows", ex.rows);
        }
        if (ex.resultSets > 1) {
            a.put(RESULT_SETS, ex.resultSets);
        }
        if (ex.affectedRows >= 0) {
            a.put(AFFECTED_ROWS, ex.affectedRows);
        }
        if (ex.lastInsertId > 0) {
            a.put(LAST_INSERT_ID, ex.lastInsertId);
        }
        if (ex.warnings > 0) {
            a.put(WARNINGS, (long) ex.warnings);
        }
        if (ex.errorCode >= 0) {
            String code = Integer.toString(ex.errorCode);
            a.put("db.response.status_code", code)
                    .put("error.type", code)
                    .put(SQLSTATE, ex.sqlState)
                    .put(ERROR_MESSAGE, ex.errorMessage);
        }
        a.put(USER, ex.user);
        a.put(SERVER_VERSION, session.serverVersion);
        return a.build();
    }

    /**
     * What {@link #attributes} reads. Strings are compared by identity: the session's and the statement
     * cache's objects are shared from one command to the next, and a different object only costs a rebuild.
     */
    private static final class AttributeInputs {
        private int command;
        private SqlStatement sql;
        private String schema;
        private String user;
        private String systemName;
        private String serverVersion;
        private long statementId;
        private int parameterCount;
        private long rows;
        private int resultSets;
        private long affectedRows;
        private long lastInsertId;
        private int warnings;

        boolean sameAs(MySqlExchange ex, MySqlSession session) {
            return ex.command == command && ex.sql == sql && ex.schema == schema && ex.user == user
                    && session.systemName == systemName && session.serverVersion == serverVersion
                    && ex.statementId == statementId && ex.parameterCount == parameterCount && ex.rows == rows
                    && ex.resultSets == resultSets && ex.affectedRows == affectedRows && ex.lastInsertId == lastInsertId
                    && ex.warnings == warnings && ex.errorCode < 0 && ex.parameters == null;
        }

        /** Remembers the inputs; false when the exchange's attributes are not reusable (errors, parameters). */
        boolean remember(MySqlExchange ex, MySqlSession session) {
            command = ex.command;
            sql = ex.sql;
            schema = ex.schema;
            user = ex.user;
            systemName = session.systemName;
            serverVersion = session.serverVersion;
            statementId = ex.statementId;
            parameterCount = ex.parameterCount;
            rows = ex.rows;
            resultSets = ex.resultSets;
            affectedRows = ex.affectedRows;
            lastInsertId = ex.lastInsertId;
            warnings = ex.warnings;
            return ex.errorCode < 0 && ex.parameters == null;
        }
    }
}

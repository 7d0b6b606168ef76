package io.spanscope.parsers.mysql;

import java.util.List;

/** One command and its response while they are being parsed; mutable, owned by one handler. */
final class MySqlExchange {

    /** Where the response parsing of this exchange stands. */
    enum ResponseState {
        /** Nothing of the response yet: the next server packet starts it. */
        FIRST,
        /** Column definitions of a result set are being stepped over. */
        COLUMN_DEFINITIONS,
        /** After the definitions: an EOF (classic protocol) or the first row. */
        AFTER_COLUMN_DEFINITIONS,
        ROWS,
        /** Parameter and column definitions following a COM_STMT_PREPARE OK. */
        PREPARE_DEFINITIONS,
        /** Classic protocol: the EOF after the last definition of a prepare response. */
        PREPARE_TRAILING_EOF,
        /** LOCAL INFILE: the client sends the file, then the server answers OK or ERR. */
        LOCAL_INFILE,
        /** COM_CHANGE_USER: authentication round trips until OK or ERR. */
        AUTHENTICATION,
        /** A command this parser does not know: every server packet until the next command. */
        UNTIL_NEXT_COMMAND,
        DONE
    }

    static final int GAP_IN_REQUEST = 1;
    static final int GAP_IN_RESPONSE = 1 << 1;
    static final int TRUNCATED = 1 << 2;
    static final int MALFORMED = 1 << 3;
    static final int RESPONSE_INCOMPLETE = 1 << 4;
    static final int STATEMENT_UNKNOWN = 1 << 5;

    final int command;
    SqlStatement sql;
    long statementId = -1;
    int parameterCount = -1;
    List<String> parameters;
    String schema;
    String user;

    int requestTid;
    long requestStartNs;
    long requestEndNs;
    long requestSequence = -1;
    long requestBytes;
    /** Sequence id the server's next packet of this exchange must carry. */
    int expectedSequenceId;

    boolean expectsResponse;
    ResponseState state = ResponseState.FIRST;
    int responseTid;
    long responseStartNs;
    long responseEndNs;
    long responseSequence = -1;
    long responseBytes;

    int errorCode = -1;
    String sqlState;
    String errorMessage;
    long affectedRows = -1;
    long lastInsertId = -1;
    int warnings;
    long rows;
    int resultSets;
    /** Column or parameter definitions still to step over in the current result set or prepare response. */
    long definitionsLeft;
    /** COM_STMT_PREPARE: columns whose definitions follow the parameter definitions. */
    long prepareColumns;
    long preparedStatementId = -1;
    int flags;
    /** A pipelined COM_STMT_EXECUTE of "the statement prepared last" (MariaDB id -1) waits for this prepare. */
    MySqlExchange awaitedPrepare;
    /** That execution's payload, decoded once the prepare's response gives the statement. */
    byte[] deferredPayload;

    MySqlExchange(int command) {
        this.command = command;
    }

    boolean responseStarted() {
        return responseSequence >= 0 || state != ResponseState.FIRST;
    }

    boolean isComplete() {
        return !expectsResponse || state == ResponseState.DONE;
    }
}

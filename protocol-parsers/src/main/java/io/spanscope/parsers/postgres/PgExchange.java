package io.spanscope.parsers.postgres;

import java.util.List;

/**
 * One statement execution being rebuilt: the frontend messages that led to it (a Query, or the
 * Parse/Bind/Describe/Execute group of the extended protocol) and the backend messages answering them.
 * Mutable, owned by one {@link PostgresHandler}.
 */
final class PgExchange {

    static final int UNSET = -1;

    /** The statement (null when it was prepared before capture began); for a Query, the whole string. */
    PgStatement statement;
    /** For one statement of a multi-statement Query: its own text; else null (the statement's text). */
    String statementText;
    String statementName;
    boolean executed;
    /** A Query whose first statement has started answering. */
    boolean answered;

    int requestTid;
    long requestStartNs;
    long requestEndNs;
    long requestSequence = UNSET;
    long requestBytes;

    boolean responseStarted;
    int responseTid;
    long responseStartNs;
    long responseEndNs;
    long responseSequence = UNSET;
    long responseBytes;

    int parameterCount = UNSET;
    List<String> parameters;
    int columnCount = UNSET;
    long dataRows;
    String commandTag;
    long tagRows = UNSET;
    boolean suspended;
    String sqlState;
    String severity;
    String errorMessage;
    long copyInBytes;
    long copyOutBytes;
    int notices;
    int notifications;
    int flags;
    boolean held;
    boolean emitted;

    /** A statement of a multi-statement Query: shares the Query's request side. */
    PgExchange statementOf(String text) {
        PgExchange s = new PgExchange();
        s.statement = statement;
        s.statementText = text;
        s.executed = true;
        s.flags = flags;
        s.requestTid = requestTid;
        s.requestStartNs = requestStartNs;
        s.requestEndNs = requestEndNs;
        s.requestSequence = requestSequence;
        s.requestBytes = requestBytes;
        return s;
    }

    String text() {
        return statementText != null ? statementText : statement != null ? statement.text : null;
    }
}

package io.spanscope.parsers.postgres;

import java.util.List;

/**
 * One statement execution being rebuilt: the frontend messages that led to it (a Query, or the
 * Parse/Bind/Describe/Execute group of the extended protocol) and the backend messages answering them.
 * Mutable, owned by one {@link PostgresHandler}.
 */
final class PgExchange {

    static final int UNSET = -1;

    /** Its number in the connection's {@link PgExchanges}. */
    final int id;
    /** Released to the pool, blank. */
    boolean free;

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
    /** The CommandComplete command when it is a common one: its {@link PgCommandTag} number, else 0. */
    int commonTag;
    /** The CommandComplete command when it is not a common one. */
    String otherTag;
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

    PgExchange(int id) {
        this.id = id;
    }

    /** Makes {@code s} a statement of this Query: it shares the Query's request side. */
    PgExchange statementOf(String text, PgExchange s) {
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

    /** Back to a blank exchange, for reuse once its record is out. */
    void reset() {
        statement = null;
        statementText = null;
        statementName = null;
        executed = false;
        answered = false;
        requestTid = 0;
        requestStartNs = 0;
        requestEndNs = 0;
        requestSequence = UNSET;
        requestBytes = 0;
        responseStarted = false;
        responseTid = 0;
        responseStartNs = 0;
        responseEndNs = 0;
        responseSequence = UNSET;
        responseBytes = 0;
        parameterCount = UNSET;
        parameters = null;
        columnCount = UNSET;
        dataRows = 0;
        commonTag = 0;
        otherTag = null;
        tagRows = UNSET;
        suspended = false;
        sqlState = null;
        severity = null;
        errorMessage = null;
        copyInBytes = 0;
        copyOutBytes = 0;
        notices = 0;
        notifications = 0;
        flags = 0;
        held = false;
        emitted = false;
    }

    /** The CommandComplete command ({@code INSERT}, {@code CREATE TABLE} ...), or null before one arrived. */
    String commandTag() {
        return commonTag != 0 ? PgCommandTag.common(commonTag) : otherTag;
    }

    String text() {
        return statementText != null ? statementText : statement != null ? statement.text : null;
    }
}

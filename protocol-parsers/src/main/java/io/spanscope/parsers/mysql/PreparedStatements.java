package io.spanscope.parsers.mysql;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The statements prepared on one connection: statement id to SQL and parameter count, plus the
 * parameter types of the last execution (a later execution may omit them). Bounded: beyond the limit
 * the least recently used statement is forgotten (and counted by the caller).
 */
final class PreparedStatements {

    /** One prepared statement; {@code parameterTypes} is null until an execution sends them. */
    static final class Statement {
        final long id;
        final SqlStatement sql;
        final int parameterCount;
        int[] parameterTypes;
        /** Parameters whose values came in COM_STMT_SEND_LONG_DATA (bit per parameter, first 64). */
        long longDataParameters;

        Statement(long id, SqlStatement sql, int parameterCount) {
            this.id = id;
            this.sql = sql;
            this.parameterCount = parameterCount;
        }
    }

    private final int limit;
    private final LinkedHashMap<Long, Statement> byId;
    private Statement lastPrepared;
    private boolean overflowed;

    PreparedStatements(int limit) {
        this.limit = limit;
        this.byId = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Statement> eldest) {
                if (size() > PreparedStatements.this.limit) {
                    overflowed = true;
                    return true;
                }
                return false;
            }
        };
    }

    /** Adds a statement; true when an older one had to be forgotten to make room. */
    boolean add(Statement statement) {
        overflowed = false;
        byId.put(statement.id, statement);
        lastPrepared = statement;
        return overflowed;
    }

    /**
     * The statement with this id, or null when it was prepared before capture began (or forgotten).
     * MariaDB's id 0xFFFFFFFF means the statement prepared last (a pipelined prepare + execute).
     */
    Statement find(long id) {
        if (id == 0xFFFF_FFFFL) {
            return lastPrepared;
        }
        return byId.get(id);
    }

    void remove(long id) {
        Statement removed = byId.remove(id);
        if (removed == lastPrepared) {
            lastPrepared = null;
        }
    }

    void clear() {
        byId.clear();
        lastPrepared = null;
    }

    int size() {
        return byId.size();
    }
}

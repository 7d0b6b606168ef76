package io.spanscope.parsers.postgres;

import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserStats;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named prepared statements and portals of one connection, so a Bind or Execute that names one finds
 * its text. The unnamed statement and portal (what most drivers use) live in fields; named ones in
 * access-ordered maps bounded by {@code maxPreparedStatementsPerConnection}, the least recently used
 * forgotten first (counted). A name never seen (prepared before capture began) resolves to null.
 */
final class PgStatementNames {

    /** What an Execute of a portal runs. */
    record Portal(PgStatement statement, String statementName) {
    }

    private final int limit;
    private final ParserStats stats;
    private final Map<String, PgStatement> statements;
    private final Map<String, Portal> portals;
    private PgStatement unnamedStatement;
    /**
     * The unnamed portal, in fields rather than a {@link Portal}: drivers rebind it for every statement,
     * and an Execute in the same group as its Bind never looks it up.
     */
    private boolean unnamedPortalDefined;
    private PgStatement unnamedPortalStatement;
    private String unnamedPortalStatementName;

    PgStatementNames(int limit, ParserStats stats) {
        this.limit = limit;
        this.stats = stats;
        this.statements = new Bounded<>();
        this.portals = new Bounded<>();
    }

    void defineStatement(byte[] b, int from, int to, PgStatement statement) {
        if (from == to) {
            unnamedStatement = statement;
        } else {
            statements.put(PgBytes.utf8(b, from, to), statement);
        }
    }

    PgStatement statement(byte[] b, int from, int to) {
        return from == to ? unnamedStatement : statements.get(PgBytes.utf8(b, from, to));
    }

    String statementName(byte[] b, int from, int to) {
        return from == to ? null : PgBytes.utf8(b, from, to);
    }

    void definePortal(byte[] b, int from, int to, PgStatement statement, String statementName) {
        if (from == to) {
            unnamedPortalDefined = true;
            unnamedPortalStatement = statement;
            unnamedPortalStatementName = statementName;
        } else {
            portals.put(PgBytes.utf8(b, from, to), new Portal(statement, statementName));
        }
    }

    Portal portal(byte[] b, int from, int to) {
        if (from == to) {
            return unnamedPortalDefined ? new Portal(unnamedPortalStatement, unnamedPortalStatementName) : null;
        }
        return portals.get(PgBytes.utf8(b, from, to));
    }

    /** Close of a statement ({@code 'S'}) or portal ({@code 'P'}). */
    void close(byte kind, byte[] b, int from, int to) {
        if (kind == 'S') {
            if (from == to) {
                unnamedStatement = null;
            } else {
                statements.remove(PgBytes.utf8(b, from, to));
            }
        } else if (kind == 'P') {
            if (from == to) {
                unnamedPortalDefined = false;
                unnamedPortalStatement = null;
                unnamedPortalStatementName = null;
            } else {
                portals.remove(PgBytes.utf8(b, from, to));
            }
        }
    }

    private final class Bounded<V> extends LinkedHashMap<String, V> {
        Bounded() {
            super(16, 0.75f, true);
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
            if (size() > limit) {
                stats.countDrop(DropReason.PREPARED_STATEMENT_LIMIT);
                return true;
            }
            return false;
        }
    }
}

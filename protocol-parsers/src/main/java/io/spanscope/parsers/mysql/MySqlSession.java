package io.spanscope.parsers.mysql;

import java.util.Arrays;

/**
 * What one connection negotiated and what its commands change: server version and flavour, capability
 * flags (when the handshake was seen), user, current schema, prepared statements, and the last SQL
 * text analysed (clients repeat statements; analysing the same bytes again would be wasted work).
 */
final class MySqlSession {

    static final String MYSQL = "mysql";
    static final String MARIADB = "mariadb";

    String systemName = MYSQL;
    String serverVersion;
    long serverCapabilities;
    /** Capabilities both sides use; meaningful only when {@link #capabilitiesKnown}. */
    long capabilities;
    boolean capabilitiesKnown;
    String user;
    String schema;
    final PreparedStatements statements;
    private final boolean maskLiterals;
    private byte[] lastSqlBytes = new byte[0];
    private int lastSqlLength = -1;
    private SqlStatement lastSql;

    MySqlSession(int maxPreparedStatements, boolean maskLiterals) {
        this.statements = new PreparedStatements(maxPreparedStatements);
        this.maskLiterals = maskLiterals;
    }

    /** What the greeting said, for the TLS plaintext's session; null before a greeting. */
    ServerGreeting greeting() {
        return serverVersion == null ? null : new ServerGreeting(serverVersion, serverCapabilities);
    }

    record ServerGreeting(String version, long capabilities) {
    }

    void serverGreeting(String version, long capabilities) {
        this.serverVersion = version;
        this.serverCapabilities = capabilities;
        this.systemName = version != null && version.contains("MariaDB") ? MARIADB : MYSQL;
    }

    void clientCapabilities(long clientCapabilities) {
        this.capabilities = serverCapabilities == 0 ? clientCapabilities : clientCapabilities & serverCapabilities;
        this.capabilitiesKnown = true;
    }

    boolean has(long capability) {
        return capabilitiesKnown && (capabilities & capability) != 0;
    }

    /** True or false when the handshake told, null when capture joined after it. */
    Boolean deprecateEof() {
        return capabilitiesKnown ? (capabilities & MySqlProtocol.CLIENT_DEPRECATE_EOF) != 0 : null;
    }

    SqlStatement sql(byte[] buffer, int offset, int length, boolean truncated) {
        if (length == lastSqlLength && !truncated && lastSql != null && !lastSql.truncated()
                && Arrays.equals(buffer, offset, offset + length, lastSqlBytes, 0, length)) {
            return lastSql;
        }
        SqlStatement sql = SqlStatement.of(buffer, offset, length, maskLiterals, truncated);
        if (lastSqlBytes.length < length) {
            lastSqlBytes = new byte[Math.max(length, 2 * lastSqlBytes.length)];
        }
        System.arraycopy(buffer, offset, lastSqlBytes, 0, length);
        lastSqlLength = length;
        lastSql = sql;
        return sql;
    }

    boolean maskLiterals() {
        return maskLiterals;
    }
}

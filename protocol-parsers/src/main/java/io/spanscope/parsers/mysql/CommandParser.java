package io.spanscope.parsers.mysql;

import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserStats;

import java.util.ArrayList;
import java.util.List;

import static io.spanscope.parsers.mysql.MySqlProtocol.*;

/**
 * Turns a client command packet (sequence id 0) into a {@link MySqlExchange}: the command, its SQL,
 * statement id and parameters, and the session changes it asks for (applied when the server says OK).
 * Also reads the client's handshake response. Secrets (auth responses) are stepped over, never read
 * into strings.
 */
final class CommandParser {

    private static final int MAX_NAME_CHARS = 256;

    private final MySqlSession session;
    private final ParserStats stats;
    private final boolean captureParameters;
    private final PayloadCursor in = new PayloadCursor();

    CommandParser(MySqlSession session, ParserStats stats, boolean captureParameters) {
        this.session = session;
        this.stats = stats;
        this.captureParameters = captureParameters;
    }

    /**
     * @param pendingPrepare the newest COM_STMT_PREPARE still waiting for its response, or null: a
     *                       pipelined execute of "the last prepared statement" refers to it
     */
    MySqlExchange parse(MySqlPacket packet, MySqlExchange pendingPrepare) {
        in.reset(packet.buffer, packet.offset, packet.length);
        int command = in.u8();
        MySqlExchange ex = new MySqlExchange(command);
        ex.expectsResponse = !hasNoResponse(command);
        ex.schema = session.schema;
        ex.user = session.user;
        ex.requestTid = packet.startTid();
        ex.requestStartNs = packet.startNs();
        ex.requestEndNs = packet.endNs();
        ex.requestSequence = packet.startSequence();
        ex.requestBytes = packet.wireBytes;
        ex.expectedSequenceId = (packet.lastSequenceId + 1) & 0xFF;
        if (packet.truncated) {
            ex.flags |= MySqlExchange.TRUNCATED;
        }
        switch (command) {
            case COM_QUERY -> query(ex, packet);
            case COM_STMT_PREPARE -> ex.sql = session.sql(in.buffer(), in.position(), in.remaining(), packet.truncated);
            case COM_STMT_EXECUTE -> {
                if (pendingPrepare != null && isLastPrepared(packet)) {
                    ex.awaitedPrepare = pendingPrepare;
                    ex.sql = pendingPrepare.sql;
                    ex.deferredPayload = java.util.Arrays.copyOfRange(packet.buffer, packet.offset,
                            packet.offset + packet.length);
                } else {
                    execute(ex);
                }
            }
            case COM_STMT_SEND_LONG_DATA -> longData(ex);
            case COM_STMT_CLOSE, COM_STMT_RESET, COM_STMT_FETCH, COM_STMT_BULK_EXECUTE -> statementCommand(ex);
            case COM_INIT_DB -> ex.schema = in.rest(MAX_NAME_CHARS);
            case COM_CHANGE_USER -> changeUser(ex);
            default -> {
                if (commandName(command) == null) {
                    ex.flags |= MySqlExchange.MALFORMED;
                    stats.countParseError();
                }
            }
        }
        if (in.overrun()) {
            ex.flags |= packet.truncated ? MySqlExchange.TRUNCATED : MySqlExchange.MALFORMED;
            if (!packet.truncated) {
                stats.countParseError();
            }
        }
        return ex;
    }

    private void query(MySqlExchange ex, MySqlPacket packet) {
        if (session.has(CLIENT_QUERY_ATTRIBUTES)) {
            long count = in.lengthEncoded();
            in.lengthEncoded(); // parameter set count, always 1
            if (count > 0 && count <= 0xFFFF) {
                List<String> names = new ArrayList<>();
                List<String> values = new ArrayList<>();
                if (BinaryParameters.decode(in, (int) count, null, names, values)) {
                    ex.parameters = captureParameters ? values : null;
                } else {
                    ex.flags |= MySqlExchange.MALFORMED;
                }
            }
        }
        ex.sql = session.sql(in.buffer(), in.position(), in.remaining(), packet.truncated);
        if ("USE".equals(ex.sql.operation())) {
            ex.schema = useTarget(ex.sql.text());
        }
    }

    private static String useTarget(String text) {
        String t = text.trim();
        int space = t.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String name = t.substring(space + 1).trim();
        if (name.endsWith(";")) {
            name = name.substring(0, name.length() - 1).trim();
        }
        return name.replace("`", "");
    }

    private static boolean isLastPrepared(MySqlPacket packet) {
        byte[] b = packet.buffer;
        int o = packet.offset;
        return packet.length >= 5 && b[o + 1] == -1 && b[o + 2] == -1 && b[o + 3] == -1 && b[o + 4] == -1;
    }

    /** The prepare a pipelined execute waited for has its response: decode the execute now. */
    void resolveDeferred(MySqlExchange ex) {
        byte[] payload = ex.deferredPayload;
        MySqlExchange prepare = ex.awaitedPrepare;
        ex.deferredPayload = null;
        ex.awaitedPrepare = null;
        if (prepare.preparedStatementId < 0) {
            return; // the prepare failed: so does the execute; its SQL is the prepare's
        }
        in.reset(payload, 0, payload.length);
        in.u8();
        execute(ex);
    }

    private void execute(MySqlExchange ex) {
        long id = in.u32();
        int flags = in.u8();
        in.u32(); // iteration count, always 1
        ex.statementId = id;
        PreparedStatements.Statement statement = session.statements.find(id);
        int count = -1;
        if (statement != null) {
            ex.statementId = statement.id;
            ex.sql = statement.sql;
            count = statement.parameterCount;
        } else {
            ex.flags |= MySqlExchange.STATEMENT_UNKNOWN;
            stats.countDrop(DropReason.MYSQL_UNKNOWN_STATEMENT);
        }
        boolean attributes = session.has(CLIENT_QUERY_ATTRIBUTES) && (flags & PARAMETER_COUNT_AVAILABLE) != 0;
        if (attributes) {
            long sent = in.lengthEncoded();
            count = sent >= 0 && sent <= 0xFFFF ? (int) sent : -1;
        }
        if (count < 0 || in.overrun()) {
            return;
        }
        ex.parameterCount = count;
        List<String> values = captureParameters ? BinaryParameters.newList(count) : null;
        List<String> names = attributes ? new ArrayList<>() : null;
        if (BinaryParameters.decode(in, count, statement, names, values)) {
            ex.parameters = values;
        } else if (!in.overrun()) {
            // types were never seen (bound before capture began): the values cannot be stepped over
            ex.parameterCount = count;
        } else {
            ex.flags |= MySqlExchange.MALFORMED;
        }
        if (statement != null) {
            statement.longDataParameters = 0;
        }
    }

    private void longData(MySqlExchange ex) {
        long id = in.u32();
        int parameter = in.u16();
        PreparedStatements.Statement statement = session.statements.find(id);
        ex.statementId = id;
        if (statement != null) {
            ex.statementId = statement.id;
            ex.sql = statement.sql;
            if (parameter >= 0 && parameter < 64) {
                statement.longDataParameters |= 1L << parameter;
            }
        }
    }

    private void statementCommand(MySqlExchange ex) {
        long id = in.u32();
        ex.statementId = id;
        PreparedStatements.Statement statement = session.statements.find(id);
        if (statement != null) {
            ex.statementId = statement.id;
            ex.sql = statement.sql;
            if (ex.command == COM_STMT_RESET) {
                statement.longDataParameters = 0;
            }
        }
        if (ex.command == COM_STMT_CLOSE) {
            session.statements.remove(ex.statementId);
        }
    }

    private void changeUser(MySqlExchange ex) {
        ex.user = in.nulTerminated(MAX_NAME_CHARS);
        if (session.has(CLIENT_SECURE_CONNECTION) || !session.capabilitiesKnown) {
            in.skip(Math.max(0, in.u8()));
        } else {
            in.skipNulTerminated();
        }
        String schema = in.nulTerminated(MAX_NAME_CHARS);
        ex.schema = schema.isEmpty() ? null : schema;
    }

    /**
     * The client's handshake response (or SSL request). Returns false for an SSL request: the rest of the
     * connection is TLS.
     */
    boolean handshakeResponse(MySqlPacket packet) {
        in.reset(packet.buffer, packet.offset, packet.length);
        long capabilities = in.u32();
        if ((capabilities & CLIENT_SSL) != 0 && packet.payloadLength == 32) {
            session.clientCapabilities(capabilities);
            return false;
        }
        in.u32(); // max packet size
        in.u8(); // character set
        in.skip(19);
        long extended = in.u32(); // MariaDB: extended capabilities in the last 4 filler bytes
        if (session.serverVersion == null && (capabilities & CLIENT_MYSQL) == 0) {
            // greeting not seen (TLS plaintext): only a client answering a MariaDB server clears CLIENT_MYSQL
            session.systemName = MySqlSession.MARIADB;
        }
        if (MySqlSession.MARIADB.equals(session.systemName) && (capabilities & CLIENT_MYSQL) == 0) {
            capabilities |= extended << 32;
        }
        session.clientCapabilities(capabilities);
        session.user = in.nulTerminated(MAX_NAME_CHARS);
        if ((capabilities & CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) != 0) {
            in.skip(Math.max(0, in.lengthEncoded()));
        } else if ((capabilities & CLIENT_SECURE_CONNECTION) != 0) {
            in.skip(Math.max(0, in.u8()));
        } else {
            in.skipNulTerminated();
        }
        if ((capabilities & CLIENT_CONNECT_WITH_DB) != 0 && in.remaining() > 0) {
            String schema = in.nulTerminated(MAX_NAME_CHARS);
            session.schema = schema.isEmpty() ? null : schema;
        }
        if (in.overrun()) {
            stats.countParseError();
        }
        return true;
    }

    /** The server greeting (Initial Handshake v10). */
    void greeting(MySqlPacket packet) {
        in.reset(packet.buffer, packet.offset, packet.length);
        int protocolVersion = in.u8();
        String version = in.nulTerminated(MAX_NAME_CHARS);
        in.u32(); // connection id
        in.skip(9); // auth data part 1 and filler
        long capabilities = in.u16();
        if (in.remaining() > 0) {
            in.u8(); // character set
            in.u16(); // status
            capabilities |= (long) in.u16() << 16;
            in.u8(); // auth data length
            in.skip(6);
            long extended = in.u32();
            if (version.contains("MariaDB") && (capabilities & CLIENT_MYSQL) == 0 && extended > 0) {
                capabilities |= extended << 32;
            }
        }
        if (protocolVersion != 10 || in.overrun()) {
            stats.countParseError();
        }
        session.serverGreeting(version, capabilities & 0xFFFF_FFFF_FFFFL);
    }
}

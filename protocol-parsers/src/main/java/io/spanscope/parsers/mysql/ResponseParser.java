package io.spanscope.parsers.mysql;

import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserStats;

import static io.spanscope.parsers.mysql.MySqlExchange.ResponseState.*;
import static io.spanscope.parsers.mysql.MySqlProtocol.*;

/**
 * Advances one exchange's response by one server packet: OK / ERR / EOF, result sets (column count,
 * definitions, optional EOF, text or binary rows, terminator), further result sets while
 * SERVER_MORE_RESULTS_EXISTS is set, COM_STMT_PREPARE responses, LOCAL INFILE and re-authentication.
 * Rows and definitions are counted from their first byte only; their payloads are never inspected.
 */
final class ResponseParser {

    private static final int MAX_MESSAGE_CHARS = 512;

    private final MySqlSession session;
    private final ParserStats stats;
    private final PayloadCursor in = new PayloadCursor();

    ResponseParser(MySqlSession session, ParserStats stats) {
        this.session = session;
        this.stats = stats;
    }

    /** Whether the payload of this packet is needed to advance the exchange. */
    static boolean wantsPayload(MySqlExchange ex, int payloadLength, int firstByte) {
        // asked for every server packet (each row): identity tests, the common states first, rather
        // than a switch's ordinal lookup
        MySqlExchange.ResponseState state = ex.state;
        if (state == ROWS || state == AFTER_COLUMN_DEFINITIONS) {
            return firstByte == EOF && payloadLength < MySqlPacket.MAX_PAYLOAD || firstByte == ERR;
        }
        if (state == FIRST) {
            return true;
        }
        if (state == LOCAL_INFILE || state == AUTHENTICATION) {
            return firstByte == OK || firstByte == ERR;
        }
        return false;
    }

    /**
     * One packet of the exchange's response; {@code packet} is null when its payload was skipped
     * ({@link #wantsPayload} said no).
     */
    void onPacket(MySqlExchange ex, MySqlPacket packet, long payloadLength, int firstByte) {
        switch (ex.state) {
            case FIRST -> first(ex, packet, firstByte);
            case COLUMN_DEFINITIONS -> {
                if (firstByte != EOF && --ex.definitionsLeft <= 0) {
                    ex.state = AFTER_COLUMN_DEFINITIONS;
                }
            }
            case AFTER_COLUMN_DEFINITIONS -> {
                ex.state = ROWS;
                if (firstByte == EOF && payloadLength == EOF_PACKET_LENGTH) {
                    int status = eofStatus(ex, packet);
                    if ((status & SERVER_STATUS_CURSOR_EXISTS) != 0) {
                        ex.state = DONE; // rows come with COM_STMT_FETCH
                    }
                } else {
                    row(ex, packet, payloadLength, firstByte);
                }
            }
            case ROWS -> row(ex, packet, payloadLength, firstByte);
            case PREPARE_DEFINITIONS -> {
                if (firstByte != EOF && --ex.definitionsLeft <= 0) {
                    // the classic protocol ends the definitions with an EOF; unknown capabilities: see MySqlHandler
                    ex.state = Boolean.FALSE.equals(session.deprecateEof()) ? PREPARE_TRAILING_EOF : DONE;
                }
            }
            case PREPARE_TRAILING_EOF -> ex.state = DONE;
            case LOCAL_INFILE, AUTHENTICATION -> {
                if (firstByte == OK) {
                    ok(ex, packet);
                    ex.state = DONE;
                } else if (firstByte == ERR) {
                    err(ex, packet);
                }
            }
            default -> {
            }
        }
    }

    private void first(MySqlExchange ex, MySqlPacket packet, int firstByte) {
        if (firstByte == ERR) {
            err(ex, packet);
            return;
        }
        switch (ex.command) {
            case COM_QUERY, COM_STMT_EXECUTE, COM_STMT_BULK_EXECUTE -> resultStart(ex, packet, firstByte);
            case COM_STMT_FETCH -> {
                ex.state = ROWS;
                ex.resultSets++;
                row(ex, packet, packet.payloadLength, firstByte);
            }
            case COM_STMT_PREPARE -> prepared(ex, packet, firstByte);
            case COM_CHANGE_USER -> {
                if (firstByte == OK) {
                    ok(ex, packet);
                    ex.state = DONE;
                } else {
                    ex.state = AUTHENTICATION;
                }
            }
            case COM_FIELD_LIST -> {
                ex.state = ROWS;
                row(ex, packet, packet.payloadLength, firstByte);
            }
            case COM_SET_OPTION, COM_STATISTICS -> ex.state = DONE;
            default -> {
                if (firstByte == OK) {
                    ok(ex, packet);
                    ex.state = DONE;
                } else if (firstByte == EOF) {
                    ex.state = DONE;
                } else {
                    ex.state = UNTIL_NEXT_COMMAND;
                }
            }
        }
    }

    private void resultStart(MySqlExchange ex, MySqlPacket packet, int firstByte) {
        if (firstByte == OK) {
            int status = ok(ex, packet);
            ex.state = (status & SERVER_MORE_RESULTS_EXISTS) != 0 ? FIRST : DONE;
            return;
        }
        if (firstByte == LOCAL_INFILE_REQUEST && ex.command == COM_QUERY) {
            ex.state = LOCAL_INFILE;
            return;
        }
        in.reset(packet.buffer, packet.offset, packet.length);
        long columns = in.lengthEncoded();
        if (columns <= 0 || in.overrun()) {
            malformed(ex);
            return;
        }
        ex.resultSets++;
        // MariaDB with MARIADB_CLIENT_CACHE_METADATA: a "metadata follows" byte; 0 = definitions skipped
        boolean metadataFollows = in.remaining() == 0 || in.u8() != 0;
        if (metadataFollows) {
            ex.definitionsLeft = columns;
            ex.state = COLUMN_DEFINITIONS;
        } else {
            ex.state = AFTER_COLUMN_DEFINITIONS;
        }
    }

    private void row(MySqlExchange ex, MySqlPacket packet, long payloadLength, int firstByte) {
        if (firstByte == ERR) {
            err(ex, packet);
            return;
        }
        if (firstByte != EOF || payloadLength >= MySqlPacket.MAX_PAYLOAD) {
            ex.rows++;
            return;
        }
        int status = payloadLength == EOF_PACKET_LENGTH ? eofStatus(ex, packet) : ok(ex, packet);
        ex.state = (status & SERVER_MORE_RESULTS_EXISTS) != 0 && ex.command != COM_STMT_FETCH ? FIRST : DONE;
    }

    private void prepared(MySqlExchange ex, MySqlPacket packet, int firstByte) {
        if (firstByte != OK) {
            malformed(ex);
            return;
        }
        in.reset(packet.buffer, packet.offset, packet.length);
        in.u8();
        long id = in.u32();
        int columns = in.u16();
        int parameters = in.u16();
        in.u8();
        int warnings = in.u16();
        if (in.overrun() || id < 0) {
            malformed(ex);
            return;
        }
        ex.preparedStatementId = id;
        ex.statementId = id;
        ex.warnings = Math.max(0, warnings);
        if (session.statements.add(new PreparedStatements.Statement(id, ex.sql, parameters))) {
            stats.countDrop(DropReason.MYSQL_STATEMENT_LIMIT);
        }
        ex.definitionsLeft = (long) columns + parameters;
        ex.state = ex.definitionsLeft == 0 ? DONE : PREPARE_DEFINITIONS;
    }

    /** Reads an OK packet (0x00, or 0xFE ending rows); returns its status flags. */
    private int ok(MySqlExchange ex, MySqlPacket packet) {
        in.reset(packet.buffer, packet.offset, packet.length);
        in.u8();
        long affected = in.lengthEncoded();
        long insertId = in.lengthEncoded();
        int status = in.u16();
        int warnings = in.u16();
        if (in.overrun()) {
            if (!packet.truncated) {
                malformed(ex);
            }
            return 0;
        }
        if (affected >= 0) {
            ex.affectedRows = Math.max(ex.affectedRows, 0) + affected;
        }
        if (insertId > 0) {
            ex.lastInsertId = insertId;
        }
        ex.warnings += warnings;
        if ((status & SERVER_SESSION_STATE_CHANGED) != 0 && session.has(CLIENT_SESSION_TRACK)) {
            sessionState(ex);
        }
        return status;
    }

    /** Session state changes of an OK packet: only the schema (SESSION_TRACK_SCHEMA) is used. */
    private void sessionState(MySqlExchange ex) {
        in.skip(Math.max(0, in.lengthEncoded())); // info
        long total = in.lengthEncoded();
        int end = in.position() + (int) Math.min(Math.max(total, 0), in.remaining());
        while (!in.overrun() && in.position() < end) {
            int type = in.u8();
            long length = in.lengthEncoded();
            if (type == 1) {
                String schema = in.lengthEncodedString(256);
                if (schema != null) {
                    ex.schema = schema;
                }
            } else {
                in.skip(Math.max(0, length));
            }
        }
    }

    private int eofStatus(MySqlExchange ex, MySqlPacket packet) {
        in.reset(packet.buffer, packet.offset, packet.length);
        in.u8();
        ex.warnings += Math.max(0, in.u16());
        return Math.max(0, in.u16());
    }

    private void err(MySqlExchange ex, MySqlPacket packet) {
        in.reset(packet.buffer, packet.offset, packet.length);
        in.u8();
        int code = in.u16();
        if (code == 0xFFFF) {
            return; // MariaDB progress report, not the end of the response
        }
        String sqlState = null;
        if (in.remaining() > 0 && (in.buffer()[in.position()] & 0xFF) == '#') {
            in.u8();
            sqlState = in.remaining() >= 5 ? new String(in.buffer(), in.position(), 5,
                    java.nio.charset.StandardCharsets.US_ASCII) : null;
            in.skip(5);
        }
        String message = in.rest(MAX_MESSAGE_CHARS);
        ex.errorCode = code;
        ex.sqlState = sqlState;
        ex.errorMessage = session.maskLiterals() ? SqlStatement.maskQuoted(message) : message;
        ex.state = DONE;
    }

    private void malformed(MySqlExchange ex) {
        ex.flags |= MySqlExchange.MALFORMED;
        stats.countParseError();
        ex.state = UNTIL_NEXT_COMMAND;
    }
}

package io.spanscope.parsers.mysql;

import io.spanscope.capture.event.Direction;
import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.ParserStats;
import io.spanscope.parsers.detect.HandlerContext;
import io.spanscope.parsers.detect.ProtocolHandler;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.stream.ChunkOrigin;

import java.util.ArrayDeque;

import static io.spanscope.parsers.mysql.MySqlProtocol.*;

/**
 * One MySQL/MariaDB connection: a packet reader per direction and the connection's phases
 *
 * <pre>
 * GREETING ─server v10─► LOGIN ─handshake response─► AUTHENTICATION ─OK─► COMMANDS
 *    │                     └─ SSL request ─► PASS_THROUGH (the TLS handshake's ciphertext is counted)
 *    └─ client handshake response, sequence id 2 ─► AUTHENTICATION       compressed protocol after OK ─► PASS_THROUGH
 * </pre>
 *
 * The second entry is the TLS plaintext: the connection's socket view ended at the SSL request, and the
 * TLS capture's plaintext, parsed as a new stream, continues with the real handshake response.
 *
 * In COMMANDS every client packet with sequence id 0 starts an exchange; exchanges queue in order
 * (clients such as Connector/J pipeline a prepare and its execute), each server packet belongs to the
 * oldest exchange whose response is not complete, and sequence ids check that pairing: a server packet
 * with sequence id 1 where the exchange expected another starts the next response (the previous one
 * lost its end), any other mismatch is counted as loss. Exchanges are emitted in command order.
 */
final class MySqlHandler implements ProtocolHandler {

    private enum Phase { GREETING, LOGIN, AUTHENTICATION, COMMANDS, PASS_THROUGH }

    /** The handshake response after an SSL request (sequence id 1) and the TLS handshake. */
    private static final int TLS_HANDSHAKE_RESPONSE_SEQUENCE_ID = 2;

    private final HandlerContext context;
    private final ParserStats stats;
    private final MySqlSession session;
    private final CommandParser commands;
    private final ResponseParser responses;
    private final MySqlRecordFactory records;
    private final MySqlPacketReader requestReader;
    private final MySqlPacketReader responseReader;
    private final ArrayDeque<MySqlExchange> exchanges = new ArrayDeque<>();
    private final int maxPending;
    private Phase phase;
    /** Capabilities unknown: a prepare response may still be followed by a classic EOF with this sequence id. */
    private int optionalEofSequenceId = -1;

    MySqlHandler(HandlerContext context) {
        ParserConfig config = context.config();
        this.context = context;
        this.stats = context.stats();
        this.session = new MySqlSession(config.mysqlMaxPreparedStatements(), config.maskSqlLiterals());
        if (context.stateBeforeTls() instanceof MySqlSession.ServerGreeting greeting) {
            // TLS plaintext: the greeting was in the socket view
            session.serverGreeting(greeting.version(), greeting.capabilities());
        }
        // Parameter values are literals too: recorded only when literals are.
        this.commands = new CommandParser(session, stats, !config.maskSqlLiterals());
        this.responses = new ResponseParser(session, stats);
        this.records = new MySqlRecordFactory(context.connection(), session);
        this.maxPending = config.maxPendingRequestsPerConnection();
        int inspect = Math.min(config.mysqlInspectBytes(), config.maxBufferedBytesPerDirection() - 4);
        this.requestReader = new MySqlPacketReader(new RequestListener(), stats, inspect);
        this.responseReader = new MySqlPacketReader(new ResponseListener(), stats, inspect);
        if (context.connection().joinedMidStream()) {
            // detected at a command or at the greeting; the other direction may be mid-message
            phase = Phase.COMMANDS;
            responseReader.resync();
        } else {
            phase = Phase.GREETING;
        }
    }

    @Override
    public Protocol protocol() {
        return Protocol.MYSQL;
    }

    @Override
    public Object stateForTlsPlaintext() {
        return session.greeting();
    }

    @Override
    public int onBytes(Direction direction, byte[] buffer, int offset, int length, long position, ChunkOrigin origin) {
        return reader(direction).onBytes(buffer, offset, length, position, origin);
    }

    @Override
    public void onGap(Direction direction, long position, long missingBytes, ChunkOrigin origin) {
        reader(direction).onGap(missingBytes, origin);
    }

    @Override
    public void onConnectionEnd(long timestampNs, boolean closed) {
        while (!exchanges.isEmpty()) {
            emit(exchanges.pollFirst());
        }
    }

    private MySqlPacketReader reader(Direction direction) {
        return direction == context.requestDirection() ? requestReader : responseReader;
    }

    private void passThrough(DropReason reason) {
        stats.countDrop(reason);
        phase = Phase.PASS_THROUGH;
        requestReader.stop();
        responseReader.stop();
    }

    /** The exchange the server is answering: the oldest one expecting a response it has not finished. */
    private MySqlExchange responding() {
        MySqlExchange oldest = exchanges.peekFirst();
        if (oldest == null || !oldest.isComplete()) {
            return oldest; // the usual case: one command at a time
        }
        for (MySqlExchange ex : exchanges) {
            if (!ex.isComplete()) {
                return ex;
            }
        }
        return null;
    }

    private void emitReady() {
        while (!exchanges.isEmpty() && exchanges.peekFirst().isComplete()) {
            emit(exchanges.pollFirst());
        }
    }

    private void emit(MySqlExchange ex) {
        if (ex.state == MySqlExchange.ResponseState.DONE && ex.errorCode < 0) {
            applySessionChanges(ex);
        }
        stats.countRecord();
        context.sink().onRecord(records.build(ex));
    }

    /** What a successful command changed for the commands after it. */
    private void applySessionChanges(MySqlExchange ex) {
        switch (ex.command) {
            case COM_INIT_DB -> session.schema = ex.schema;
            case COM_CHANGE_USER -> {
                session.user = ex.user;
                session.schema = ex.schema;
                session.statements.clear();
            }
            case COM_RESET_CONNECTION -> session.statements.clear();
            default -> {
                if (ex.schema != null && !ex.schema.equals(session.schema)) {
                    session.schema = ex.schema; // USE, or a schema change the server tracked
                }
            }
        }
    }

    private void onCommand(MySqlPacket packet) {
        MySqlExchange pendingPrepare = null;
        for (MySqlExchange pending : exchanges) {
            if (pending.command == COM_STMT_PREPARE && !pending.isComplete()) {
                pendingPrepare = pending;
            }
        }
        MySqlExchange ex = commands.parse(packet, pendingPrepare);
        // a new command ends a response this parser could only step over
        for (MySqlExchange pending : exchanges) {
            if (pending.state == MySqlExchange.ResponseState.UNTIL_NEXT_COMMAND) {
                pending.state = MySqlExchange.ResponseState.DONE;
            }
        }
        if (exchanges.size() >= maxPending) {
            stats.countDrop(DropReason.PENDING_REQUEST_LIMIT);
            emit(exchanges.pollFirst());
        }
        exchanges.addLast(ex);
        emitReady();
    }

    /** Client packets. */
    private final class RequestListener implements MySqlPacketReader.Listener {

        @Override
        public boolean skipsPacket(int sequenceId, int payloadLength, int firstByte) {
            boolean wanted = switch (phase) {
                case GREETING -> sequenceId == TLS_HANDSHAKE_RESPONSE_SEQUENCE_ID;
                case LOGIN -> sequenceId == 1;
                case COMMANDS -> sequenceId == 0;
                default -> false;
            };
            if (wanted) {
                return false;
            }
            if (phase == Phase.COMMANDS) {
                // LOCAL INFILE data or re-authentication: part of the exchange being answered
                MySqlExchange ex = responding();
                if (ex != null) {
                    ex.requestBytes += 4L + payloadLength;
                    ex.expectedSequenceId = (sequenceId + 1) & 0xFF;
                }
            }
            return true;
        }

        @Override
        public void onPacket(MySqlPacket packet) {
            if (phase == Phase.GREETING) {
                // TLS plaintext: the greeting and the SSL request were in the socket view
                commands.handshakeResponse(packet);
                phase = Phase.AUTHENTICATION;
            } else if (phase == Phase.LOGIN) {
                if (commands.handshakeResponse(packet)) {
                    phase = Phase.AUTHENTICATION;
                } else {
                    passThrough(DropReason.MYSQL_TLS);
                }
            } else if (phase == Phase.COMMANDS) {
                onCommand(packet);
            }
        }

        @Override
        public void onLoss(boolean framingKept) {
            MySqlExchange last = exchanges.peekLast();
            if (last != null) {
                last.flags |= MySqlExchange.GAP_IN_REQUEST;
            }
        }

        @Override
        public boolean isPlausibleStart(byte[] buffer, int offset, int length, long timestampNs) {
            return length >= 5 && buffer[offset + 3] == 0 && commandName(buffer[offset + 4] & 0xFF) != null
                    && phase == Phase.COMMANDS;
        }
    }

    /** Server packets. */
    private final class ResponseListener implements MySqlPacketReader.Listener {

        @Override
        public boolean skipsPacket(int sequenceId, int payloadLength, int firstByte) {
            if (phase == Phase.COMMANDS) {
                MySqlExchange ex = responding();
                if (ex == null) {
                    serverPacket(sequenceId, sequenceId, payloadLength, firstByte, null);
                    return true;
                }
                if (sequenceId != ex.expectedSequenceId) {
                    if (sequenceId == 1) {
                        return false; // may start the next response; decided in onPacket
                    }
                } else if (optionalEofSequenceId < 0) {
                    // the usual row or definition: in sequence, nothing to absorb, so no pairing to do
                    if (ResponseParser.wantsPayload(ex, payloadLength, firstByte)) {
                        return false;
                    }
                    advance(ex, sequenceId, payloadLength, firstByte, null);
                    return true;
                }
                if (ResponseParser.wantsPayload(ex, payloadLength, firstByte)) {
                    return false;
                }
                serverPacket(sequenceId, sequenceId, payloadLength, firstByte, null);
                return true;
            }
            return switch (phase) {
                case GREETING -> false;
                case LOGIN, AUTHENTICATION -> firstByte != OK && firstByte != ERR;
                default -> true;
            };
        }

        @Override
        public void onPacket(MySqlPacket packet) {
            switch (phase) {
                case GREETING -> {
                    commands.greeting(packet);
                    phase = Phase.LOGIN;
                }
                case LOGIN, AUTHENTICATION -> authenticationResult(packet.firstByte());
                case COMMANDS -> serverPacket(packet.sequenceId, packet.lastSequenceId, packet.payloadLength,
                        packet.firstByte(), packet);
                default -> {
                }
            }
        }

        @Override
        public void onLoss(boolean framingKept) {
            MySqlExchange ex = responding();
            if (ex != null) {
                ex.flags |= MySqlExchange.GAP_IN_RESPONSE;
                if (!framingKept && ex.responseStarted()) {
                    // the rest of this response cannot be told apart from the next: end it here
                    ex.flags |= MySqlExchange.RESPONSE_INCOMPLETE;
                    ex.state = MySqlExchange.ResponseState.DONE;
                    emitReady();
                }
            }
        }

        @Override
        public boolean isPlausibleStart(byte[] buffer, int offset, int length, long timestampNs) {
            if (length < 5) {
                return false;
            }
            int sequenceId = buffer[offset + 3] & 0xFF;
            if (sequenceId == 0 && buffer[offset + 4] == 10 && exchanges.isEmpty()) {
                phase = Phase.GREETING; // capture joined just before the greeting
                return true;
            }
            return sequenceId == 1 && phase == Phase.COMMANDS && resumeResponsesAt(timestampNs);
        }
    }

    /**
     * After lost response bytes: a response starting at {@code timestampNs} answers the newest command sent
     * before it (a client waits for each answer; only a pipelining client breaks this, and only after a
     * loss). Older commands still waiting lost their responses in the gap: they end without one.
     */
    private boolean resumeResponsesAt(long timestampNs) {
        MySqlExchange answered = null;
        for (MySqlExchange ex : exchanges) {
            if (!ex.isComplete() && !ex.responseStarted() && ex.requestEndNs <= timestampNs) {
                answered = ex;
            }
        }
        if (answered == null) {
            return false;
        }
        for (MySqlExchange ex : exchanges) {
            if (ex == answered) {
                break;
            }
            if (!ex.isComplete()) {
                ex.flags |= MySqlExchange.GAP_IN_RESPONSE;
                ex.state = MySqlExchange.ResponseState.DONE;
            }
        }
        answered.expectedSequenceId = 1;
        emitReady();
        return true;
    }

    private void authenticationResult(int firstByte) {
        if (firstByte == OK) {
            if (session.has(CLIENT_COMPRESS) || session.has(CLIENT_ZSTD_COMPRESSION)) {
                passThrough(DropReason.MYSQL_COMPRESSED);
            } else {
                phase = Phase.COMMANDS;
            }
        } else if (firstByte == ERR) {
            stats.countDrop(DropReason.MYSQL_LOGIN_FAILED);
        }
    }

    private void serverPacket(int sequenceId, int lastSequenceId, long payloadLength, int firstByte, MySqlPacket packet) {
        if (optionalEofSequenceId >= 0) {
            boolean absorbed = sequenceId == optionalEofSequenceId && firstByte == EOF && payloadLength == EOF_PACKET_LENGTH;
            optionalEofSequenceId = -1;
            if (absorbed) {
                return;
            }
        }
        MySqlExchange ex = responding();
        if (ex != null && sequenceId != ex.expectedSequenceId) {
            if (sequenceId == 1 && ex.responseStarted()) {
                // a new response: the one in progress lost its end
                ex.flags |= MySqlExchange.RESPONSE_INCOMPLETE | MySqlExchange.GAP_IN_RESPONSE;
                ex.state = MySqlExchange.ResponseState.DONE;
                stats.countDrop(DropReason.MYSQL_SEQUENCE_MISMATCH);
                emitReady();
                ex = responding();
            } else {
                ex.flags |= MySqlExchange.GAP_IN_RESPONSE;
                stats.countDrop(DropReason.MYSQL_SEQUENCE_MISMATCH);
            }
        }
        if (ex == null) {
            if (sequenceId == 1) {
                stats.countDrop(DropReason.UNPAIRED_RESPONSE);
            }
            return;
        }
        if (packet == null && ResponseParser.wantsPayload(ex, (int) Math.min(payloadLength, Integer.MAX_VALUE), firstByte)) {
            // skipped for a previous exchange's state but needed by this one: its content is unknown
            ex.flags |= MySqlExchange.GAP_IN_RESPONSE;
            return;
        }
        advance(ex, lastSequenceId, payloadLength, firstByte, packet);
    }

    /** One server packet of {@code ex}, paired and in sequence ({@code packet} null when skipped). */
    private void advance(MySqlExchange ex, int lastSequenceId, long payloadLength, int firstByte, MySqlPacket packet) {
        ex.expectedSequenceId = (lastSequenceId + 1) & 0xFF;
        if (ex.responseSequence < 0 && packet != null) {
            ex.responseSequence = packet.startSequence();
            ex.responseStartNs = packet.startNs();
            ex.responseTid = packet.startTid();
        }
        ex.responseBytes += packet != null ? packet.wireBytes : 4L + payloadLength;
        if (packet != null) {
            ex.responseEndNs = packet.endNs();
            if (packet.truncated) {
                ex.flags |= MySqlExchange.TRUNCATED;
            }
        }
        responses.onPacket(ex, packet, payloadLength, firstByte);
        if (ex.command == COM_STMT_PREPARE && (ex.preparedStatementId >= 0 || ex.state == MySqlExchange.ResponseState.DONE)) {
            for (MySqlExchange waiting : exchanges) {
                if (waiting.awaitedPrepare == ex) {
                    commands.resolveDeferred(waiting);
                }
            }
        }
        if (ex.state == MySqlExchange.ResponseState.DONE) {
            if (ex.command == COM_STMT_PREPARE && ex.errorCode < 0 && session.deprecateEof() == null) {
                optionalEofSequenceId = ex.expectedSequenceId;
            }
            emitReady();
        }
    }
}

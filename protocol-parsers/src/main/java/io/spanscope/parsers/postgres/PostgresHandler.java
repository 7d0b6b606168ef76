package io.spanscope.parsers.postgres;

import io.spanscope.capture.event.Direction;
import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserStats;
import io.spanscope.parsers.detect.HandlerContext;
import io.spanscope.parsers.detect.ProtocolHandler;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.RecordFlag;
import io.spanscope.parsers.stream.ChunkOrigin;

import java.util.ArrayList;
import java.util.List;

/**
 * One PostgreSQL connection: a {@link PgFramer} per direction and the matcher between them. The backend
 * answers frontend messages strictly in order, so every frontend message that gets an answer is queued
 * ({@link PendingMessages}) with the exchange it belongs to, and each backend message is about the head
 * of that queue. An exchange is a Query (one record per statement it runs) or the extended-protocol
 * group Parse/Bind/Describe/Execute that ends with an Execute (one record). After an ErrorResponse the
 * backend skips everything up to the next Sync, and so does the queue.
 *
 * <p>When framing or pairing is lost (a gap, a malformed message, an answer that does not fit the head),
 * pending exchanges are emitted flagged, the queue is cleared and backend messages are ignored until the
 * next ReadyForQuery, where both sides agree again.
 */
final class PostgresHandler implements ProtocolHandler, PgFramer.Listener {

    private static final int PROTOCOL_3_0 = 3 << 16;
    private static final int SSL_REQUEST = 80877103;
    private static final int GSSENC_REQUEST = 80877104;
    private static final int CANCEL_REQUEST = 80877102;
    /** Frontend messages queued per pending request at most (Parse, Bind, Describe, Execute, Sync, Close ...). */
    private static final int MESSAGES_PER_REQUEST = 8;
    /** Exchanges made before unreleased ones are looked for (see {@link #fresh()}). */
    private static final int MIN_RECLAIM_AT = 32;

    private final HandlerContext context;
    private final ParserStats stats;
    private final PgFramer frontend;
    private final PgFramer backend;
    private final PgExchanges exchanges = new PgExchanges();
    private final PendingMessages pending;
    private final PgStatementCache texts;
    private final PgStatementNames names;
    private final PgRecordFactory records;
    private final boolean captureParameters;
    private final int maxHeld;
    private final int maxParameterBytes;
    private PgExchange openGroup;
    private PgExchange copyIn;
    /** The statement of the Query at the head that is receiving results. */
    private PgExchange currentStatement;
    private List<String> currentStatements;
    private int statementIndex;
    private boolean awaitingReadyForQuery;
    /** Joined mid-stream and no backend message has answered a request seen here yet. */
    private boolean backendUnsynced;
    /**
     * Statements complete but held until ReadyForQuery: notices and notifications that arrive between
     * a statement's completion and the end of its batch still belong to it. Held by id, as the queue.
     */
    private final int[] completed;
    private int completedCount;
    private int reclaimAt = MIN_RECLAIM_AT;

    PostgresHandler(HandlerContext context) {
        this.context = context;
        this.stats = context.stats();
        int maxMessage = Math.min(context.config().maxPostgresMessageBytes(),
                context.config().maxBufferedBytesPerDirection());
        this.frontend = new PgFramer(true, this, stats, maxMessage);
        this.backend = new PgFramer(false, this, stats, maxMessage);
        this.pending = new PendingMessages(context.config().maxPendingRequestsPerConnection() * MESSAGES_PER_REQUEST,
                exchanges);
        boolean mask = context.config().maskSqlLiterals();
        this.texts = new PgStatementCache(mask);
        this.names = new PgStatementNames(context.config().maxPreparedStatementsPerConnection(), stats);
        this.records = new PgRecordFactory(context.connection(), mask);
        this.captureParameters = !mask;
        this.maxHeld = Math.max(1, context.config().maxPendingRequestsPerConnection());
        this.completed = new int[maxHeld];
        this.maxParameterBytes = context.config().maxSqlParameterBytes();
        if (context.connection().joinedMidStream()) {
            // typically a pooled connection opened before capture began: both sides start at a boundary
            frontend.startInResync();
            backend.startInResync();
            backendUnsynced = true;
        }
    }

    @Override
    public Protocol protocol() {
        return Protocol.POSTGRESQL;
    }

    @Override
    public int onBytes(Direction direction, byte[] buffer, int offset, int length, long position, ChunkOrigin origin) {
        return framer(direction).onBytes(buffer, offset, length, position, origin);
    }

    @Override
    public void onGap(Direction direction, long position, long missingBytes, ChunkOrigin origin) {
        PgFramer framer = framer(direction);
        PgFramer.State before = framer.state();
        framer.onGap(missingBytes);
        if (before == PgFramer.State.ENCRYPTED) {
            return;
        }
        if (before == PgFramer.State.SKIP && framer.state() != PgFramer.State.RESYNC) {
            // lost inside row data, COPY data or a password: the message ends where its length says
            PgExchange current = direction == context.requestDirection()
                    ? (copyIn != null ? copyIn : openGroup)
                    : (currentStatement != null ? currentStatement : pending.headOwner());
            if (current != null) {
                current.flags |= flag(RecordFlag.TRUNCATED_BODY);
            }
            return;
        }
        loseTrack(direction == context.requestDirection() ? RecordFlag.GAP_IN_REQUEST : RecordFlag.GAP_IN_RESPONSE);
    }

    @Override
    public void onConnectionEnd(long timestampNs, boolean closed) {
        flushPending(null);
    }

    private PgFramer framer(Direction direction) {
        return direction == context.requestDirection() ? frontend : backend;
    }

    // ---------------------------------------------------------------- frontend

    @Override
    public void onMessage(boolean fromFrontend, byte type, byte[] b, int body, int bodyLength, long position,
                          ChunkOrigin origin) {
        if (fromFrontend) {
            onFrontendMessage(type, b, body, bodyLength, position, origin);
        } else {
            onBackendMessage(type, b, body, bodyLength, position, origin);
        }
    }

    @Override
    public void onSkippedMessage(boolean fromFrontend, byte type, int bodyLength, long position, ChunkOrigin origin,
                                 boolean oversized) {
        if (fromFrontend) {
            onFrontendSkipped(type, bodyLength, position, origin, oversized);
        } else {
            onBackendSkipped(type, bodyLength, position, origin, oversized);
        }
    }

    private void onFrontendMessage(byte type, byte[] b, int body, int length, long position, ChunkOrigin origin) {
        int end = body + length;
        switch (type) {
            case 0 -> onStartup(b, body, end);
            case 'Q' -> {
                // the text is the whole body, NUL-terminated: no need to search for its end
                int nul = length > 0 && b[end - 1] == 0 ? end - 1 : PgBytes.nul(b, body, end);
                PgStatement statement = texts.lookup(b, body, nul < 0 ? end : nul);
                openGroup = null;
                PgExchange query = request(position, length, origin);
                query.statement = statement;
                query.executed = true;
                endRequest(query, position, length, origin);
                openGroup = null;
                enqueue('Q', query);
            }
            case 'P' -> {
                int nameEnd = PgBytes.nul(b, body, end);
                PgStatement known = nameEnd < 0 ? null : texts.cachedParseText(b, nameEnd + 1, end);
                int textEnd = known != null ? nameEnd + 1 + known.bytes.length
                        : nameEnd < 0 ? -1 : PgBytes.nul(b, nameEnd + 1, end);
                PgExchange group = request(position, length, origin);
                if (textEnd < 0) {
                    malformed(group);
                } else {
                    group.statement = known != null ? known : texts.lookup(b, nameEnd + 1, textEnd);
                    names.defineStatement(b, body, nameEnd, group.statement);
                    if (textEnd + 3 <= end) {
                        group.parameterCount = Math.max(group.parameterCount, PgBytes.int16(b, textEnd + 1));
                    }
                }
                enqueue('P', group);
            }
            case 'B' -> {
                PgExchange group = request(position, length, origin);
                onBind(group, b, body, end);
                enqueue('B', group);
            }
            case 'D' -> {
                PgExchange group = request(position, length, origin);
                if (length >= 2 && b[body] == 'S' && group.statement == null) {
                    int nul = PgBytes.nul(b, body + 1, end);
                    if (nul > body + 1) {
                        group.statementName = PgBytes.utf8(b, body + 1, nul);
                        group.statement = names.statement(b, body + 1, nul);
                    }
                }
                enqueue('D', group);
            }
            case 'E' -> {
                PgExchange group = request(position, length, origin);
                if (group.statement == null && group.statementName == null) {
                    int nul = PgBytes.nul(b, body, end);
                    PgStatementNames.Portal portal = names.portal(b, body, nul < 0 ? end : nul);
                    if (portal != null) {
                        group.statement = portal.statement();
                        group.statementName = portal.statementName();
                    }
                }
                group.executed = true;
                endRequest(group, position, length, origin);
                openGroup = null;
                enqueue('E', group);
            }
            case 'C' -> {
                if (length >= 2) {
                    int nul = PgBytes.nul(b, body + 1, end);
                    names.close(b[body], b, body + 1, nul < 0 ? end : nul);
                }
                enqueue('C', null);
            }
            default -> {
            }
        }
    }

    private void onFrontendSkipped(byte type, int length, long position, ChunkOrigin origin, boolean oversized) {
        switch (type) {
            case 'S' -> {
                openGroup = null;
                enqueue('S', null);
            }
            case 'F' -> {
                openGroup = null;
                enqueue('F', null);
            }
            case 'd' -> {
                if (copyIn != null) {
                    copyIn.copyInBytes += length;
                }
            }
            case 'c', 'f' -> copyIn = null;
            case 'Q', 'P', 'B', 'D', 'E' -> {
                // too big to keep: still an exchange, so the answers pair; its text is unknown
                PgExchange group = request(position, length, origin);
                group.flags |= flag(RecordFlag.MALFORMED);
                if (type == 'Q' || type == 'E') {
                    group.executed = true;
                    endRequest(group, position, length, origin);
                    openGroup = null;
                }
                enqueue(type, group);
            }
            case 'C' -> enqueue('C', null);
            default -> {
                // Flush, Terminate, password / SASL / GSS responses: nothing to pair, never stored
            }
        }
    }

    private void onStartup(byte[] b, int body, int end) {
        int code = PgBytes.int32(b, body);
        if (code == SSL_REQUEST || code == GSSENC_REQUEST) {
            backend.expectReplyByte();
        } else if ((code & 0xFFFF_0000) == PROTOCOL_3_0) {
            records.onStartupParameters(b, body + 4, end);
            frontend.startTyped();
        } else if (code != CANCEL_REQUEST) {
            stats.countParseError();
            frontend.startInResync();
        }
    }

    private void onBind(PgExchange group, byte[] b, int body, int end) {
        int portalEnd = PgBytes.nul(b, body, end);
        int nameEnd = portalEnd < 0 ? -1 : PgBytes.nul(b, portalEnd + 1, end);
        if (nameEnd < 0) {
            malformed(group);
            return;
        }
        if (group.statement == null) {
            group.statement = names.statement(b, portalEnd + 1, nameEnd);
        }
        if (nameEnd > portalEnd + 1) {
            group.statementName = names.statementName(b, portalEnd + 1, nameEnd);
        }
        names.definePortal(b, body, portalEnd, group.statement, group.statementName);
        PgBindParameters.read(b, nameEnd + 1, end, group, captureParameters, maxParameterBytes);
    }

    /** The exchange a frontend message belongs to: the open extended-protocol group, or a new one. */
    private PgExchange request(long position, int bodyLength, ChunkOrigin origin) {
        PgExchange group = openGroup;
        if (group == null) {
            group = fresh();
            group.requestTid = origin.tidAt(position);
            group.requestStartNs = origin.timestampAt(position);
            group.requestSequence = origin.sequenceAt(position);
            openGroup = group;
        }
        group.requestBytes += bodyLength + 5;
        return group;
    }

    private static void endRequest(PgExchange exchange, long position, int bodyLength, ChunkOrigin origin) {
        exchange.requestEndNs = origin.timestampAt(position + bodyLength + 4);
    }

    private void enqueue(int type, PgExchange owner) {
        if (pending.isFull()) {
            stats.countDrop(DropReason.PENDING_REQUEST_LIMIT);
            loseTrack(null);
        }
        pending.add((byte) type, owner);
    }

    private void malformed(PgExchange exchange) {
        exchange.flags |= flag(RecordFlag.MALFORMED);
        stats.countParseError();
    }

    // ---------------------------------------------------------------- backend

    @Override
    public void onReplyByte(byte reply, long position, ChunkOrigin origin) {
        if (reply == 'S' || reply == 'G') {
            // TLS or GSS encryption from here on: the socket carries ciphertext; TLS capture, when
            // enabled, delivers the plaintext as a new stream that starts with the StartupMessage.
            stats.countDrop(DropReason.ENCRYPTED_SESSION);
            frontend.encrypted();
            backend.encrypted();
        } else if (reply != 'N') {
            stats.countParseError();
        }
    }

    private void onBackendMessage(byte type, byte[] b, int body, int length, long position, ChunkOrigin origin) {
        if (backendUnsynced && answersNothingSeen(length, position, origin)) {
            return;
        }
        if (awaitingReadyForQuery) {
            if (type == 'Z') {
                awaitingReadyForQuery = false;
                onReadyForQuery(true);
            }
            stats.countUnparsedBytes(length + 5L);
            return;
        }
        switch (type) {
            case 'C' -> {
                PgExchange target = resultTarget(position, length, origin);
                if (target != null) {
                    // the tag is the whole body, NUL-terminated: no need to search for its end
                    int end = body + length;
                    int nul = length > 0 && b[end - 1] == 0 ? end - 1 : PgBytes.nul(b, body, end);
                    PgCommandTag.apply(target, b, body, nul < 0 ? end : nul);
                    complete(target, position, length, origin);
                }
            }
            case 'E' -> onError(b, body, length, position, origin);
            case 'Z' -> onReadyForQuery(false);
            case 'T' -> {
                byte head = pending.headType();
                PgExchange target = head == 'D' ? pending.headOwner() : resultTarget(position, length, origin);
                if (target != null) {
                    respond(target, position, length, origin);
                    if (length >= 2) {
                        target.columnCount = PgBytes.int16(b, body);
                    }
                }
                if (head == 'D') {
                    pending.pop();
                }
            }
            case 't' -> {
                if (pending.headType() == 'D' && pending.headOwner() != null) {
                    respond(pending.headOwner(), position, length, origin);
                    if (length >= 2) {
                        pending.headOwner().parameterCount = PgBytes.int16(b, body);
                    }
                } else {
                    lostPairing();
                }
            }
            default -> {
            }
        }
    }

    private void onBackendSkipped(byte type, int length, long position, ChunkOrigin origin, boolean oversized) {
        if (backendUnsynced && answersNothingSeen(length, position, origin)) {
            return;
        }
        if (awaitingReadyForQuery) {
            stats.countUnparsedBytes(length + 5L);
            return;
        }
        switch (type) {
            case '1' -> answer('P', position, length, origin);
            case '2' -> answer('B', position, length, origin);
            case '3' -> answer('C', position, length, origin);
            case 'n' -> answer('D', position, length, origin);
            case 'V' -> answer('F', position, length, origin);
            case 'D' -> {
                PgExchange target = resultTarget(position, length, origin);
                if (target != null) {
                    target.dataRows++;
                }
            }
            case 'I', 's' -> {
                PgExchange target = resultTarget(position, length, origin);
                if (target != null) {
                    target.suspended = type == 's';
                    complete(target, position, length, origin);
                }
            }
            case 'G', 'W' -> copyIn = resultTarget(position, length, origin);
            case 'H' -> resultTarget(position, length, origin);
            case 'd' -> {
                PgExchange target = resultTarget(position, length, origin);
                if (target != null) {
                    target.copyOutBytes += length;
                }
            }
            case 'c' -> resultTarget(position, length, origin);
            case 'N' -> {
                PgExchange current = asyncTarget(position, length, origin);
                if (current != null) {
                    current.notices++;
                }
            }
            case 'A' -> {
                PgExchange current = asyncTarget(position, length, origin);
                if (current != null) {
                    current.notifications++;
                }
            }
            case 'C', 'E', 'Z', 'T', 't' -> {
                // a kept type past maxPostgresMessageBytes: its content is unknown, pairing is not
                if (type == 'Z') {
                    onReadyForQuery(false);
                } else if (type == 'E') {
                    onError(null, 0, 0, position, origin);
                } else if (type == 'C') {
                    PgExchange target = resultTarget(position, length, origin);
                    if (target != null) {
                        target.flags |= flag(RecordFlag.MALFORMED);
                        complete(target, position, length, origin);
                    }
                } else if (type == 'T' && pending.headType() == 'D') {
                    pending.pop();
                }
            }
            default -> {
                // Authentication, BackendKeyData, ParameterStatus, NegotiateProtocolVersion: not stored
            }
        }
    }

    /** Where a notice or notification belongs: the statement running, else the one that just completed. */
    private PgExchange asyncTarget(long position, int length, ChunkOrigin origin) {
        if (currentStatement != null) {
            return currentStatement;
        }
        byte head = pending.headType();
        if (head == 'E' && pending.headOwner() != null) {
            return pending.headOwner();
        }
        if (head == 'Q' && hasStatementsLeft(pending.headOwner())) {
            // raised while the next statement of the Query runs, before its first result
            return resultTarget(position, length, origin);
        }
        return completedCount == 0 ? null : exchanges.get(completed[completedCount - 1]);
    }

    private boolean hasStatementsLeft(PgExchange query) {
        if (query.statement == null) {
            return !query.answered;
        }
        if (currentStatements == null) {
            currentStatements = SqlText.split(query.statement.text);
        }
        return statementIndex < currentStatements.size();
    }

    /**
     * On a connection joined mid-stream, backend messages sent before the first request seen here (the
     * tail of an earlier answer) are passed over: nothing is pending, or the message is older than the
     * request at the head. The first message that can be an answer ends this phase.
     */
    private boolean answersNothingSeen(int length, long position, ChunkOrigin origin) {
        PgExchange head = pending.headOwner();
        if (pending.isEmpty() || (head != null && origin.timestampAt(position) < head.requestStartNs)) {
            stats.countUnparsedBytes(length + 5L);
            return true;
        }
        backendUnsynced = false;
        return false;
    }

    /** A backend message that answers exactly one kind of frontend message at the head. */
    private void answer(int expected, long position, int length, ChunkOrigin origin) {
        if (pending.headType() != expected) {
            lostPairing();
            return;
        }
        PgExchange owner = pending.headOwner();
        if (owner != null) {
            respond(owner, position, length, origin);
        }
        pending.pop();
    }

    /**
     * The exchange a result message (rows, tag, COPY) belongs to: the head Execute's group, or the
     * current statement of the head Query (made when its first result arrives).
     */
    private PgExchange resultTarget(long position, int length, ChunkOrigin origin) {
        byte head = pending.headType();
        PgExchange target;
        if (head == 'E') {
            target = pending.headOwner();
        } else if (head == 'Q') {
            if (currentStatement == null) {
                currentStatement = nextStatementOf(pending.headOwner());
            }
            target = currentStatement;
        } else {
            lostPairing();
            return null;
        }
        respond(target, position, length, origin);
        return target;
    }

    private PgExchange nextStatementOf(PgExchange query) {
        query.answered = true;
        if (query.statement == null) {
            return query.statementOf(null, fresh());
        }
        if (currentStatements == null) {
            currentStatements = SqlText.split(query.statement.text);
        }
        List<String> parts = currentStatements;
        if (parts.size() == 1 && statementIndex == 0) {
            statementIndex++;
            PgExchange single = query.statementOf(null, fresh());
            single.flags = query.flags;
            return single;
        }
        String text = statementIndex < parts.size() ? parts.get(statementIndex) : query.statement.text;
        statementIndex++;
        PgExchange statement = query.statementOf(text, fresh());
        statement.flags = query.flags;
        return statement;
    }

    private static void respond(PgExchange exchange, long position, int bodyLength, ChunkOrigin origin) {
        if (!exchange.responseStarted) {
            exchange.responseStarted = true;
            exchange.responseTid = origin.tidAt(position);
            exchange.responseStartNs = origin.timestampAt(position);
            exchange.responseSequence = origin.sequenceAt(position);
        }
        exchange.responseBytes += bodyLength + 5L;
    }

    /** CommandComplete, EmptyQueryResponse, PortalSuspended or ErrorResponse ended a statement. */
    private void complete(PgExchange exchange, long position, int length, ChunkOrigin origin) {
        exchange.responseEndNs = origin.timestampAt(position + length + 4);
        hold(exchange);
        if (pending.headType() == 'E' && pending.headOwner() == exchange) {
            pending.pop();
        } else if (exchange == currentStatement) {
            currentStatement = null;
        }
    }

    private void onError(byte[] b, int body, int length, long position, ChunkOrigin origin) {
        byte head = pending.headType();
        if (head == 0 || head == 'S') {
            // before the first query (a failed login) or at Sync (a deferred commit failure): no statement to blame
            stats.countUnparsedBytes(length + 5L);
            return;
        }
        PgExchange target = head == 'Q' ? resultTarget(position, length, origin) : pending.headOwner();
        if (target != null) {
            respond(target, position, length, origin);
            target.responseEndNs = origin.timestampAt(position + length + 4);
            if (b != null) {
                PgErrorFields.read(b, body, body + length, target, records.keepsErrorMessages());
            } else {
                target.flags |= flag(RecordFlag.MALFORMED);
            }
            target.executed = true;
            hold(target);
            currentStatement = null;
        }
        if (head != 'Q') {
            // the backend ignores every message up to the next Sync; so does the matcher
            while (!pending.isEmpty() && pending.headType() != 'S') {
                pending.pop();
            }
        }
    }

    /**
     * Ends the batch the head belongs to: everything up to its Sync / Query / FunctionCall. An executed
     * statement without its completion is emitted flagged; after lost track ({@code afterLoss}) that
     * includes a Query that got no answer this parser could see.
     */
    private void onReadyForQuery(boolean afterLoss) {
        releaseCompleted();
        while (!pending.isEmpty()) {
            byte type = pending.headType();
            PgExchange owner = pending.headOwner();
            pending.pop();
            boolean end = type == 'S' || type == 'Q' || type == 'F';
            if (owner != null && owner.executed && !owner.emitted && (!end || afterLoss)
                    && !(type == 'Q' && owner.answered)) {
                owner.flags |= flag(afterLoss ? RecordFlag.GAP_IN_RESPONSE : RecordFlag.RESPONSE_INCOMPLETE);
                emit(owner);
            }
            if (end) {
                break;
            }
        }
        currentStatement = null;
        currentStatements = null;
        statementIndex = 0;
    }

    // ---------------------------------------------------------------- losing and regaining track

    private void lostPairing() {
        stats.countParseError();
        loseTrack(RecordFlag.MALFORMED);
    }

    /** Emits what is pending, flagged, and ignores backend messages until the next ReadyForQuery. */
    private void loseTrack(RecordFlag flag) {
        flushPending(flag);
        awaitingReadyForQuery = true;
    }

    /**
     * Emits everything started and not yet emitted: held statements as they are, the rest flagged as
     * missing or incomplete, plus {@code cause} (a gap, a malformed answer) when there is one.
     */
    private void flushPending(RecordFlag cause) {
        releaseCompleted();
        int causeBits = cause == null ? 0 : flag(cause);
        if (currentStatement != null && !currentStatement.emitted) {
            currentStatement.flags |= causeBits | flag(RecordFlag.RESPONSE_INCOMPLETE);
            emit(currentStatement);
        }
        List<PgExchange> unanswered = new ArrayList<>();
        while (!pending.isEmpty()) {
            PgExchange owner = pending.headOwner();
            byte type = pending.headType();
            pending.pop();
            if (owner != null && owner.executed && !owner.emitted && !unanswered.contains(owner)
                    && !(type == 'Q' && owner.answered)) {
                unanswered.add(owner);
            }
        }
        for (PgExchange owner : unanswered) {
            owner.flags |= causeBits | flag(owner.responseStarted ? RecordFlag.RESPONSE_INCOMPLETE : RecordFlag.RESPONSE_MISSING);
            emit(owner);
        }
        if (openGroup != null && openGroup.executed && !openGroup.emitted) {
            openGroup.flags |= causeBits | flag(RecordFlag.RESPONSE_MISSING);
            emit(openGroup);
        }
        openGroup = null;
        copyIn = null;
        currentStatement = null;
        currentStatements = null;
        statementIndex = 0;
    }

    private void hold(PgExchange exchange) {
        if (exchange.emitted || exchange.held) {
            return;
        }
        exchange.held = true;
        completed[completedCount++] = exchange.id;
        if (completedCount >= maxHeld) {
            // a client that never syncs (Flush only) does not make records wait without bound
            releaseCompleted();
        }
    }

    private void releaseCompleted() {
        for (int i = 0; i < completedCount; i++) {
            PgExchange exchange = exchanges.get(completed[i]);
            emit(exchange);
            recycle(exchange);
        }
        completedCount = 0;
    }

    /**
     * A blank exchange, reused when one was released (statements are many and short-lived). Before the
     * table grows past what was live at the last look, exchanges dropped without release are reclaimed:
     * every exchange is reachable only from the queue, the held list and the three current ones.
     */
    private PgExchange fresh() {
        if (!exchanges.hasFree() && exchanges.created() >= reclaimAt) {
            boolean[] live = new boolean[exchanges.created()];
            pending.markOwners(live);
            for (int i = 0; i < completedCount; i++) {
                live[completed[i]] = true;
            }
            for (PgExchange current : new PgExchange[] {openGroup, currentStatement, copyIn}) {
                if (current != null) {
                    live[current.id] = true;
                }
            }
            exchanges.reclaim(live);
            int liveCount = 0;
            for (boolean l : live) {
                liveCount += l ? 1 : 0;
            }
            reclaimAt = Math.max(MIN_RECLAIM_AT, 2 * liveCount);
        }
        return exchanges.take();
    }

    /** Releases an emitted exchange for reuse when nothing refers to it any more. */
    private void recycle(PgExchange exchange) {
        if (exchange != openGroup && exchange != currentStatement && exchange != copyIn
                && !pending.references(exchange)) {
            exchanges.release(exchange);
        }
    }

    private void emit(PgExchange exchange) {
        if (exchange.emitted) {
            return;
        }
        exchange.emitted = true;
        stats.countRecord();
        context.sink().onRecord(records.build(exchange));
    }

    static int flag(RecordFlag flag) {
        return 1 << flag.ordinal();
    }
}

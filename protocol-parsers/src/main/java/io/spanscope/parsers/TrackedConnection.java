package io.spanscope.parsers;

import io.spanscope.capture.event.DataSource;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.detect.Detection;
import io.spanscope.parsers.detect.HandlerContext;
import io.spanscope.parsers.detect.OpaqueHandler;
import io.spanscope.parsers.detect.ProtocolHandler;
import io.spanscope.parsers.detect.ProtocolRegistry;
import io.spanscope.parsers.detect.ProtocolSupport;
import io.spanscope.parsers.record.ConnectionInfo;
import io.spanscope.parsers.record.ConnectionSetup;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordSink;
import io.spanscope.parsers.stream.ChunkOrigin;
import io.spanscope.parsers.stream.StreamAssembler;
import io.spanscope.parsers.stream.StreamConsumer;

import java.util.Arrays;

/**
 * State of one connection: an assembler per direction, and either the detection phase or the protocol
 * handler the bytes go to. Detection asks the registry's detectors, in order, about the first bytes of
 * whichever direction speaks first; bytes wait (bounded) while a detector needs more. On a connection
 * joined mid-stream (or whose start was lost) it scans for the first plausible message boundary.
 *
 * <p>Chunks of one direction held behind a missing range are given up (the range becomes a gap) as soon
 * as the other direction carries data: syscall capture reorders only within a burst of one direction,
 * and once the peer has answered, the missing bytes were lost rather than late.
 */
final class TrackedConnection {

    private final ParserConfig config;
    private final ParserStats stats;
    private final ProtocolRegistry registry;
    private final RecordSink sink;
    private StreamAssembler egress;
    private StreamAssembler ingress;
    private boolean tlsPlaintext;
    /** Handed to the TLS plaintext's first handler, then dropped. */
    private Object stateBeforeTls;
    private ConnectionInfo info;
    private ProtocolHandler handler;
    private final long[] scannedBytes = new long[2];
    private final boolean[] startLost = new boolean[2];
    private boolean redeliverEgress;
    private boolean redeliverIngress;
    /**
     * Ordinal of the direction of the last socket event, -1 before the first: an int, because request
     * and response traffic changes it on nearly every event, and a reference store into this
     * long-lived object would cost G1's card-marking barrier each time.
     */
    private int lastDirection = -1;
    private ConnectionSetup setup;
    private boolean firstRecordEmitted;
    /** Created at the first chunk that carries a cause (client connections of threads that got a hand-off). */
    private RequestCauses causes;
    /** Created at the first response chunk that names a completed call (server connections, see Record). */
    private RequestCauses completedCalls;
    /** Created at the first response chunk that says when a client thread last woke its writer (server connections). */
    private ResponseWakeups responseWakeups;
    long lastActivityNs;

    TrackedConnection(ConnectionInfo info, ParserConfig config, ParserStats stats, ProtocolRegistry registry,
                      RecordSink sink, long nowNs) {
        this.info = info;
        this.config = config;
        this.stats = stats;
        this.registry = registry;
        this.sink = sink;
        this.lastActivityNs = nowNs;
        this.egress = newAssembler(Direction.EGRESS);
        this.ingress = newAssembler(Direction.INGRESS);
    }

    private StreamAssembler newAssembler(Direction direction) {
        return new StreamAssembler(new DirectionConsumer(direction), stats, config.maxBufferedBytesPerDirection(),
                config.maxOutOfOrderBytesPerDirection(), config.maxOutOfOrderChunksPerDirection());
    }

    /** The kernel's setup timing of this connection; the first exchange on it carries it. */
    void setup(ConnectionSetup connectionSetup) {
        if (!firstRecordEmitted) {
            this.setup = connectionSetup;
        }
    }

    /** The capture says the egress chunk at {@code tcpSequence} was written on behalf of a server request. */
    void noteCause(int tcpSequence, int byteCount, long generation, int sequence) {
        if (causes == null) {
            causes = new RequestCauses();
        }
        causes.note(tcpSequence, byteCount, generation, sequence);
    }

    /**
     * The capture says the response chunk at {@code tcpSequence} was written by a thread that the completion of
     * a client call (its connection's generation, its response's first byte) woke.
     */
    void noteCompletedCall(int tcpSequence, int byteCount, long generation, int responseSequence) {
        if (completedCalls == null) {
            completedCalls = new RequestCauses();
        }
        completedCalls.note(tcpSequence, byteCount, generation, responseSequence);
    }

    /**
     * The capture says the thread that wrote the response chunk starting at {@code tcpSequence} was last woken by
     * a client thread at {@code wokenNs}.
     */
    void noteClientWakeup(int tcpSequence, long wokenNs) {
        if (responseWakeups == null) {
            responseWakeups = new ResponseWakeups();
        }
        responseWakeups.note(tcpSequence, wokenNs);
    }

    private void emit(Record record) {
        if (causes != null && record.role() == Role.CLIENT && !record.hasCause()) {
            int found = causes.find(record.requestSequence());
            if (found >= 0) {
                record = record.toBuilder().cause(causes.generationAt(found), causes.sequenceAt(found)).build();
            }
        }
        if (completedCalls != null && record.role() == Role.SERVER && !record.hasCompletedCall()) {
            // the stamp is on the chunk holding the response's first byte: the thread's first write of it
            int found = completedCalls.find(record.responseSequence());
            if (found >= 0 && completedCalls.startAt(found) == (int) record.responseSequence()) {
                record = record.toBuilder().completedCall(completedCalls.generationAt(found),
                        completedCalls.sequenceAt(found)).build();
            }
        }
        if (responseWakeups != null && record.role() == Role.SERVER && record.clientWokenNs() == 0) {
            long wokenNs = responseWakeups.find(record.responseSequence());
            if (wokenNs != 0) {
                record = record.toBuilder().clientWokenNs(wokenNs).build();
            }
        }
        if (!firstRecordEmitted) {
            firstRecordEmitted = true;
            if (setup != null && record.connectionSetup() == null) {
                record = record.toBuilder().connectionSetup(setup).build();
            }
            setup = null;
        }
        sink.onRecord(record);
    }

    ConnectionInfo info() {
        return info;
    }

    /** The detected protocol, or null while undecided. */
    Protocol protocol() {
        return handler == null ? null : handler.protocol();
    }

    void onData(DataSource source, Direction direction, int tcpSequence, boolean sequenceKnown, int byteCount,
                byte[] payload, int offset,
                int length, long timestampNs, int tid) {
        lastActivityNs = timestampNs;
        if (source == DataSource.TLS) {
            if (!tlsPlaintext) {
                startTlsPlaintext(timestampNs);
            }
            assembler(direction).offerInArrivalOrder(tcpSequence, sequenceKnown, byteCount, payload, offset, length,
                    timestampNs, tid);
            runRedeliveries();
            return;
        }
        if (tlsPlaintext) {
            // Ciphertext of a connection whose plaintext is captured: the plaintext is the stream parsed.
            stats.countUnparsedBytes(Math.max(0, Math.min(length, byteCount)));
            return;
        }
        if (direction.ordinal() != lastDirection) {
            // The peer answered: whatever the other direction still misses was lost, not merely late.
            assembler(direction.opposite()).flush();
            lastDirection = direction.ordinal();
        }
        assembler(direction).offer(tcpSequence, byteCount, payload, offset, length, timestampNs, tid);
        runRedeliveries();
    }

    /**
     * The first plaintext from a TLS library: what came before on the socket was the handshake (and
     * maybe a plaintext preamble such as PostgreSQL's SSLRequest). The handler of that view ends, and the
     * plaintext is detected and parsed as a new pair of streams.
     */
    private void startTlsPlaintext(long timestampNs) {
        stateBeforeTls = handler != null ? handler.stateForTlsPlaintext() : null;
        end(timestampNs, false);
        tlsPlaintext = true;
        egress = newAssembler(Direction.EGRESS);
        ingress = newAssembler(Direction.INGRESS);
        handler = null;
        lastDirection = -1;
        Arrays.fill(scannedBytes, 0);
        Arrays.fill(startLost, false);
    }

    /** Flushes held chunks, lets the handler complete or flag what is pending, frees buffers. */
    void end(long timestampNs, boolean closed) {
        try {
            egress.flush();
            ingress.flush();
            runRedeliveries();
            if (handler != null) {
                handler.onConnectionEnd(timestampNs, closed);
            }
        } finally {
            egress.release();
            ingress.release();
        }
    }

    /** After a handler threw: count the rest of the connection's bytes instead of parsing them. */
    void fail() {
        Protocol protocol = handler == null ? Protocol.UNKNOWN : handler.protocol();
        handler = new OpaqueHandler(protocol, stats);
        egress.release();
        ingress.release();
    }

    long bufferedBytes() {
        return egress.bufferedBytes() + ingress.bufferedBytes();
    }

    private StreamAssembler assembler(Direction direction) {
        return direction == Direction.EGRESS ? egress : ingress;
    }

    private void runRedeliveries() {
        for (int round = 0; round < 4 && (redeliverEgress || redeliverIngress); round++) {
            if (redeliverEgress) {
                redeliverEgress = false;
                egress.redeliver();
            }
            if (redeliverIngress) {
                redeliverIngress = false;
                ingress.redeliver();
            }
        }
    }

    private void requestRedelivery(Direction direction) {
        if (direction == Direction.EGRESS) {
            redeliverEgress = true;
        } else {
            redeliverIngress = true;
        }
    }

    private int onBytes(Direction direction, byte[] buffer, int offset, int length, long position,
                        ChunkOrigin origin) {
        if (handler == null) {
            return detect(direction, buffer, offset, length, position, origin);
        }
        int consumed = handler.onBytes(direction, buffer, offset, length, position, origin);
        Protocol next = handler.handoffProtocol();
        if (next != null) {
            handOff(next);
        }
        return consumed;
    }

    private void onGap(Direction direction, long position, long missingBytes, ChunkOrigin origin) {
        if (handler == null) {
            startLost[direction.ordinal()] = true;
        } else {
            handler.onGap(direction, position, missingBytes, origin);
        }
    }

    private int detect(Direction direction, byte[] buffer, int offset, int length, long position,
                       ChunkOrigin origin) {
        boolean needMore = false;
        for (ProtocolSupport support : registry.supports()) {
            Detection detection = support.detector().detect(buffer, offset, length);
            if (detection.isMatch()) {
                install(support, detection, direction);
                return onBytes(direction, buffer, offset, length, position, origin);
            }
            needMore |= detection.verdict() == Detection.Verdict.NEED_MORE;
        }
        if (needMore && length < config.maxDetectionBytes()) {
            return 0;
        }
        boolean scanning = info.joinedMidStream() || startLost[direction.ordinal()];
        int d = direction.ordinal();
        if (!scanning || scannedBytes[d] >= config.maxJoinScanBytes()) {
            stats.countDrop(DropReason.UNKNOWN_PROTOCOL);
            handler = new OpaqueHandler(Protocol.UNKNOWN, stats);
            requestRedelivery(direction.opposite());
            return handler.onBytes(direction, buffer, offset, length, position, origin);
        }
        int start = -1;
        for (ProtocolSupport support : registry.supports()) {
            int candidate = support.detector().findMessageStart(buffer, offset, length);
            if (candidate > offset && (start < 0 || candidate < start)) {
                start = candidate;
            }
        }
        int skipped = start < 0 ? length : start - offset;
        scannedBytes[d] += skipped;
        stats.countUnparsedBytes(skipped);
        return skipped;
    }

    private void install(ProtocolSupport support, Detection detection, Direction direction) {
        Direction requestDirection;
        if (info.role() == Role.CLIENT) {
            requestDirection = Direction.EGRESS;
        } else if (info.role() == Role.SERVER) {
            requestDirection = Direction.INGRESS;
        } else {
            requestDirection = detection.fromClient() ? direction : direction.opposite();
            info = info.withRole(requestDirection == Direction.EGRESS ? Role.CLIENT : Role.SERVER);
        }
        if (startLost[0] || startLost[1]) {
            info = new ConnectionInfo(info.id(), info.role(), info.local(), info.remote(), true);
        }
        handler = support.handlerFactory().create(context(requestDirection));
        requestRedelivery(direction.opposite());
    }

    private void handOff(Protocol next) {
        Direction requestDirection = info.role() == Role.SERVER ? Direction.INGRESS : Direction.EGRESS;
        handler = registry.find(next)
                .map(support -> support.handlerFactory().create(context(requestDirection)))
                .orElseGet(() -> new OpaqueHandler(next, stats));
        requestRedelivery(Direction.EGRESS);
        requestRedelivery(Direction.INGRESS);
    }

    private HandlerContext context(Direction requestDirection) {
        Object carried = stateBeforeTls;
        stateBeforeTls = null;
        return new HandlerContext(info, requestDirection, config, stats, this::emit, this::requestRedelivery, carried);
    }

    private final class DirectionConsumer implements StreamConsumer {
        private final Direction direction;

        DirectionConsumer(Direction direction) {
            this.direction = direction;
        }

        @Override
        public int onBytes(byte[] buffer, int offset, int length, long position, ChunkOrigin origin) {
            return TrackedConnection.this.onBytes(direction, buffer, offset, length, position, origin);
        }

        @Override
        public void onGap(long position, long missingBytes, ChunkOrigin origin) {
            TrackedConnection.this.onGap(direction, position, missingBytes, origin);
        }
    }
}

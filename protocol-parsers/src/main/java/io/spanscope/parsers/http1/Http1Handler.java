package io.spanscope.parsers.http1;

import io.spanscope.capture.event.Direction;
import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserStats;
import io.spanscope.parsers.detect.HandlerContext;
import io.spanscope.parsers.detect.ProtocolHandler;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.stream.ChunkOrigin;

import java.util.ArrayDeque;

/**
 * One HTTP/1.x connection: a decoder per direction and the FIFO matcher between them. Every request
 * takes a slot in arrival order when its start line begins; responses take the oldest slot without a
 * response, so pipelined requests pair in order. An exchange is emitted once both its messages are
 * complete, oldest first; what is still pending when the connection ends is emitted flagged.
 *
 * <p>A request carrying {@code Upgrade} (or a CONNECT) pauses the request direction until its response
 * decides: 101 to h2c hands the connection to HTTP/2, 101 to anything else (WebSocket) or a 2xx to
 * CONNECT turns both directions into counted pass-through, anything else resumes HTTP/1.
 */
final class Http1Handler implements ProtocolHandler, Http1Decoder.Events {

    private static final byte[] H2C = Ascii.bytes("h2c");

    private final HandlerContext context;
    private final ParserStats stats;
    private final Http1Decoder requestDecoder;
    private final Http1Decoder responseDecoder;
    private final Http1RecordFactory recordFactory;
    private final ArrayDeque<Http1Exchange> exchanges = new ArrayDeque<>();
    private final int maxPending;
    private Http1Exchange awaitingUpgradeDecision;
    private Protocol handoff;

    Http1Handler(HandlerContext context, HeaderSelection headers) {
        this.context = context;
        this.stats = context.stats();
        this.requestDecoder = new Http1Decoder(true, this, context.config(), stats, headers);
        this.responseDecoder = new Http1Decoder(false, this, context.config(), stats, headers);
        this.recordFactory = new Http1RecordFactory(context.connection(), headers);
        this.maxPending = context.config().maxPendingRequestsPerConnection();
        if (context.connection().joinedMidStream()) {
            requestDecoder.startInResync();
            responseDecoder.startInResync();
        }
    }

    @Override
    public Protocol protocol() {
        return Protocol.HTTP1;
    }

    @Override
    public Protocol handoffProtocol() {
        return handoff;
    }

    @Override
    public int onBytes(Direction direction, byte[] buffer, int offset, int length, long position,
                       ChunkOrigin origin) {
        return decoder(direction).onBytes(buffer, offset, length, position, origin);
    }

    @Override
    public void onGap(Direction direction, long position, long missingBytes, ChunkOrigin origin) {
        decoder(direction).onGap(missingBytes, origin);
    }

    @Override
    public void onConnectionEnd(long timestampNs, boolean closed) {
        requestDecoder.finish();
        responseDecoder.finish();
        while (!exchanges.isEmpty()) {
            emit(exchanges.pollFirst());
        }
    }

    private Http1Decoder decoder(Direction direction) {
        return direction == context.requestDirection() ? requestDecoder : responseDecoder;
    }

    @Override
    public Http1Message beginMessage(boolean request) {
        if (request) {
            if (exchanges.size() >= maxPending) {
                stats.countDrop(DropReason.PENDING_REQUEST_LIMIT);
                emit(exchanges.pollFirst());
            }
            Http1Exchange exchange = new Http1Exchange();
            exchanges.addLast(exchange);
            return exchange.request;
        }
        for (Http1Exchange exchange : exchanges) {
            if (!exchange.responseAssigned) {
                exchange.responseAssigned = true;
                return exchange.response;
            }
        }
        return new Http1Message(null);
    }

    @Override
    public void onMessageComplete(Http1Message message) {
        Http1Exchange exchange = message.exchange;
        if (exchange == null) {
            stats.countDrop(DropReason.UNPAIRED_RESPONSE);
            return;
        }
        if (message == exchange.request) {
            if (message.flags == 0 && (message.upgrade != null || "CONNECT".equals(message.method))) {
                awaitingUpgradeDecision = exchange;
                requestDecoder.pause();
            }
        } else if (exchange == awaitingUpgradeDecision) {
            awaitingUpgradeDecision = null;
            decideUpgrade(exchange);
        }
        while (!exchanges.isEmpty() && exchanges.peekFirst().isReady()) {
            emit(exchanges.pollFirst());
        }
    }

    private void decideUpgrade(Http1Exchange exchange) {
        Http1Message response = exchange.response;
        boolean intact = (response.flags & (Http1Message.GAP | Http1Message.MALFORMED)) == 0;
        boolean switched = intact && response.status == 101;
        boolean tunnel = intact && "CONNECT".equals(exchange.request.method)
                && response.status >= 200 && response.status < 300;
        if (switched && exchange.request.upgrade != null && isH2c(exchange.request.upgrade)) {
            stats.countProtocolUpgrade();
            handoff = Protocol.HTTP2;
            requestDecoder.handOff();
            responseDecoder.handOff();
        } else if (switched || tunnel) {
            stats.countProtocolUpgrade();
            requestDecoder.passThrough();
            responseDecoder.passThrough();
        } else {
            requestDecoder.resume();
        }
        context.redelivery().accept(context.requestDirection());
    }

    private static boolean isH2c(String upgrade) {
        byte[] value = Ascii.bytes(upgrade);
        return Ascii.containsToken(value, 0, value.length, H2C);
    }

    private void emit(Http1Exchange exchange) {
        if (exchange.emitted) {
            return;
        }
        exchange.emitted = true;
        stats.countRecord();
        context.sink().onRecord(recordFactory.build(exchange));
    }
}

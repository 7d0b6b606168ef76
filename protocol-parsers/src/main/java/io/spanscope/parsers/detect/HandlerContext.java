package io.spanscope.parsers.detect;

import io.spanscope.capture.event.Direction;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.ParserStats;
import io.spanscope.parsers.record.ConnectionInfo;
import io.spanscope.parsers.record.RecordSink;

import java.util.function.Consumer;

/**
 * What a handler needs from its connection.
 *
 * @param requestDirection the direction that carries requests (client to server) as the observing
 *                         process sees it: EGRESS for a client, INGRESS for a server
 * @param redelivery asks the connection to present one direction's unconsumed bytes again once the
 *                   current delivery is done (a handler that paused a direction and resumed it)
 * @param stateBeforeTls for the first handler of a TLS plaintext stream: what the socket view's handler
 *                       learned before TLS started ({@link ProtocolHandler#stateForTlsPlaintext}), else null
 */
public record HandlerContext(
        ConnectionInfo connection,
        Direction requestDirection,
        ParserConfig config,
        ParserStats stats,
        RecordSink sink,
        Consumer<Direction> redelivery,
        Object stateBeforeTls) {
}

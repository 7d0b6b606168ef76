package io.spanscope.parsers.detect;

import io.spanscope.capture.event.Direction;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.stream.ChunkOrigin;

/**
 * Parses one connection of one protocol: bytes to messages per direction, messages to exchanges
 * (records). One instance per connection, driven by one thread. Implementations must not throw on any
 * input and must bound their memory; the tracker catches what escapes anyway, as a last line of defence.
 */
public interface ProtocolHandler {

    Protocol protocol();

    /**
     * Consumes a prefix of one direction's bytes in stream order (see
     * {@link io.spanscope.parsers.stream.StreamConsumer#onBytes}).
     *
     * @return bytes consumed; unconsumed bytes are presented again with the next ones
     */
    int onBytes(Direction direction, byte[] buffer, int offset, int length, long position, ChunkOrigin origin);

    /** A range of one direction is lost (see {@link io.spanscope.parsers.stream.StreamConsumer#onGap}). */
    void onGap(Direction direction, long position, long missingBytes, ChunkOrigin origin);

    /**
     * The connection ended: closed by the process ({@code closed}), or evicted / capture stopped.
     * Complete what the end completes (close-delimited bodies), emit what is pending, flagged.
     */
    void onConnectionEnd(long timestampNs, boolean closed);

    /**
     * Non-null once the connection must continue with another protocol's handler (an HTTP/1.1 Upgrade to
     * h2c). The handler has consumed exactly up to the switch point; later bytes go to the new handler.
     */
    default Protocol handoffProtocol() {
        return null;
    }

    /**
     * Asked when the connection turns to TLS and its plaintext is captured: what this (socket) view saw
     * that the plaintext will not show again, such as MySQL's server greeting. The plaintext's handler finds
     * it in {@link HandlerContext#stateBeforeTls()} and must check its type (detection may pick another
     * protocol).
     */
    default Object stateForTlsPlaintext() {
        return null;
    }
}

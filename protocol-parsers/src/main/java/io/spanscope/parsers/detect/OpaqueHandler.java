package io.spanscope.parsers.detect;

import io.spanscope.capture.event.Direction;
import io.spanscope.parsers.ParserStats;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.stream.ChunkOrigin;

/** Consumes and counts bytes it does not parse: unknown protocols, tunnels, protocols without a parser. */
public final class OpaqueHandler implements ProtocolHandler {

    private final Protocol protocol;
    private final ParserStats stats;

    public OpaqueHandler(Protocol protocol, ParserStats stats) {
        this.protocol = protocol;
        this.stats = stats;
    }

    @Override
    public Protocol protocol() {
        return protocol;
    }

    @Override
    public int onBytes(Direction direction, byte[] buffer, int offset, int length, long position,
                       ChunkOrigin origin) {
        stats.countUnparsedBytes(length);
        return length;
    }

    @Override
    public void onGap(Direction direction, long position, long missingBytes, ChunkOrigin origin) {
    }

    @Override
    public void onConnectionEnd(long timestampNs, boolean closed) {
    }
}

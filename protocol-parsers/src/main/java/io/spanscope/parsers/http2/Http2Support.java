package io.spanscope.parsers.http2;

import io.spanscope.parsers.detect.ProtocolSupport;
import io.spanscope.parsers.record.Protocol;

/**
 * The HTTP/2 (and gRPC) entry of a {@link io.spanscope.parsers.detect.ProtocolRegistry}: detects the
 * client preface, or frames on a connection joined mid-stream, and parses the connection into one record
 * per stream (protocol {@code GRPC} for gRPC calls, {@code HTTP2} otherwise). The same handler serves
 * h2c after an HTTP/1.1 Upgrade and plaintext from TLS libraries: it does not care where bytes came from.
 */
public final class Http2Support {

    private Http2Support() {
    }

    public static ProtocolSupport create() {
        return new ProtocolSupport(Protocol.HTTP2, new Http2Detector(),
                context -> new Http2Handler(context, new Http2RecordFactory(context.connection(), context.config())));
    }
}

package io.spanscope.parsers.detect;

import io.spanscope.parsers.record.Protocol;

/** One protocol as the registry knows it: how to recognise it and how to parse a connection of it. */
public record ProtocolSupport(Protocol protocol, ProtocolDetector detector, HandlerFactory handlerFactory) {

    @FunctionalInterface
    public interface HandlerFactory {
        ProtocolHandler create(HandlerContext context);
    }

    /** A protocol recognised but not parsed (yet): its bytes are counted and skipped. */
    public static ProtocolSupport detectOnly(Protocol protocol, ProtocolDetector detector) {
        return new ProtocolSupport(protocol, detector, context -> new OpaqueHandler(protocol, context.stats()));
    }
}

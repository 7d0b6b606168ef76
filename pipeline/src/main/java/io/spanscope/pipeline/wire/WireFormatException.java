package io.spanscope.pipeline.wire;

/** Bytes that are not a valid message of the spanscope.v1 schema; the consumer counts and skips them. */
public final class WireFormatException extends RuntimeException {

    public WireFormatException(String message) {
        super(message);
    }

    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.spanscope.capture.event;

/**
 * The process closed the connection's descriptor.
 *
 * @param bytesSent bytes the process wrote on the connection while it was traced
 * @param bytesReceived bytes the process read on the connection while it was traced
 */
public record ConnectionCloseEvent(
        ConnectionId id,
        int tid,
        long timestampNs,
        long bytesSent,
        long bytesReceived) {
}

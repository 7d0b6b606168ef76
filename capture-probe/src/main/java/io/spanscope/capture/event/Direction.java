package io.spanscope.capture.event;

/** Which way bytes moved, seen from the traced process that owns the socket. */
public enum Direction {
    /** Written by the traced process (write, send, sendmsg ...). */
    EGRESS,
    /** Read by the traced process (read, recv, recvmsg ...). */
    INGRESS;

    public Direction opposite() {
        return this == EGRESS ? INGRESS : EGRESS;
    }
}

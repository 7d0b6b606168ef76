package io.spanscope.capture.event;

/** Which end of a TCP connection the traced process is. */
public enum Role {
    /** Not known yet: the connection was open before capture started and nothing decided it. */
    UNKNOWN,
    /** The process called connect(). */
    CLIENT,
    /** The process obtained the socket from accept(). */
    SERVER
}

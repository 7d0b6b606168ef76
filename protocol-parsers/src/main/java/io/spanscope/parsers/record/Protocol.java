package io.spanscope.parsers.record;

/** Application protocol of a connection, fixed once detected. */
public enum Protocol {
    HTTP1,
    HTTP2,
    GRPC,
    POSTGRESQL,
    MYSQL,
    /** Nothing recognised the bytes; they are counted, not parsed. */
    UNKNOWN
}

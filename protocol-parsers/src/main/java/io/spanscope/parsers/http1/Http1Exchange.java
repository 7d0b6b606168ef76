package io.spanscope.parsers.http1;

/** A request and the response paired with it (FIFO), until both are complete and emitted. */
final class Http1Exchange {

    final Http1Message request = new Http1Message(this);
    final Http1Message response = new Http1Message(this);
    boolean responseAssigned;
    boolean emitted;

    boolean isReady() {
        return request.complete && response.complete;
    }
}

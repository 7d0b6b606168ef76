package io.spanscope.pipeline.fidelity.app;

/**
 * How a service of the fidelity app makes its outbound call, which is what decides how hard it is to link
 * that call to the request that caused it without instrumentation.
 */
public enum CallStyle {
    /** No outbound call: answers at once. */
    LEAF("leaf (no calls)"),
    /** The request's own thread calls downstream through {@code HttpURLConnection} (blocking sockets). */
    BLOCKING("thread-per-request, blocking HttpURLConnection"),
    /**
     * The request's thread calls {@code HttpClient.send}: synchronous to the caller, but the client writes on
     * its own worker and reads on its selector thread, so at the socket level it is a hand-off.
     */
    HTTP_CLIENT("java.net.http.HttpClient.send"),
    /** The request's thread submits the call to a fixed worker pool and waits for it. */
    WORKER_POOL("worker pool (ExecutorService) + HttpURLConnection"),
    /**
     * Event loop: the handler runs on the server's single dispatcher thread, starts
     * {@code HttpClient.sendAsync} and returns; the response is written from the client's completion thread.
     */
    EVENT_LOOP("event loop: HttpClient.sendAsync chain");

    private final String description;

    CallStyle(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}

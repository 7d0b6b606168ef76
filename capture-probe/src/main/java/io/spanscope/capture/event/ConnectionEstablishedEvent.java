package io.spanscope.capture.event;

/**
 * How long the kernel took to establish a connection, from {@code sock:inet_sock_set_state}.
 *
 * <p>Client side: {@code synSentNs} (first SYN) and {@code establishedNs} (SYN-ACK processed); their
 * difference is the connect time, including SYN retransmissions when the peer's backlog was full.
 * Server side: {@code establishedNs} (handshake complete, connection in the accept queue) and
 * {@code acceptedNs} (the application's accept() returned); their difference is the accept-queue wait.
 * Unknown instants are 0. All on the source's clock.
 */
public record ConnectionEstablishedEvent(
        ConnectionId id,
        Role role,
        long synSentNs,
        long establishedNs,
        long acceptedNs) {

    /** SYN sent → established, or -1 when either end is unknown. */
    public long connectDurationNs() {
        return synSentNs > 0 && establishedNs > 0 ? establishedNs - synSentNs : -1;
    }

    /** Established → accepted, or -1 when either end is unknown. */
    public long acceptQueueWaitNs() {
        return establishedNs > 0 && acceptedNs > 0 ? acceptedNs - establishedNs : -1;
    }
}

package io.spanscope.parsers.record;

/**
 * How the kernel set up the connection an exchange was the first on. Carried only by the first record
 * of a connection whose setup capture saw: later exchanges on a kept-alive connection did not wait for it.
 * Instants are on the capture source's clock, 0 when unknown.
 *
 * @param synSentNs client side: the first SYN left
 * @param establishedNs handshake complete (client: SYN-ACK processed; server: connection queued for accept)
 * @param acceptedNs server side: the application's accept() returned
 */
public record ConnectionSetup(long synSentNs, long establishedNs, long acceptedNs) {

    /** SYN sent → established (SYN retransmissions included), or -1 when not known. */
    public long connectDurationNs() {
        return synSentNs > 0 && establishedNs >= synSentNs ? establishedNs - synSentNs : -1;
    }

    /** Established → accepted: how long the connection waited in the listen backlog, or -1. */
    public long acceptQueueWaitNs() {
        return establishedNs > 0 && acceptedNs >= establishedNs ? acceptedNs - establishedNs : -1;
    }
}

package io.spanscope.capture.pcap;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds the connection of each TCP segment by its 4-tuple, creates connections (from a SYN, a SYN-ACK,
 * or the first payload of a connection the capture joined mid-stream) and retires them.
 *
 * <p>Closed connections stay in the table as tombstones so that their trailing ACKs do not start a
 * phantom mid-stream connection; a new SYN on the same 4-tuple replaces them. The table holds at most
 * {@code maxConnections} entries: past that the least recently active one is evicted (closed first if
 * open, counted).
 */
final class ConnectionTable {

    private final PcapCounters counters;
    private final EventEmitter emitter;
    private final int maxConnections;
    private final int maxHeldBytes;
    private final int maxHeldSegments;
    private final LinkedHashMap<FlowKey, TcpConnection> connections = new LinkedHashMap<>(256, 0.75f, true);
    private final FlowKey probe = new FlowKey();
    private int nextNumber = 1;

    ConnectionTable(PcapCounters counters, EventEmitter emitter, int maxConnections, int maxHeldBytes,
                    int maxHeldSegments) {
        this.counters = counters;
        this.emitter = emitter;
        this.maxConnections = maxConnections;
        this.maxHeldBytes = maxHeldBytes;
        this.maxHeldSegments = maxHeldSegments;
    }

    void onSegment(TcpSegment s) {
        boolean sourceIsA = probe.setFrom(s);
        TcpConnection c = connections.get(probe);
        boolean opening = s.has(TcpSegment.SYN) && !s.has(TcpSegment.ACK);
        if (c != null && opening && (c.closed || !c.synSeen || c.clientInitialSequence != s.sequence)) {
            // a SYN that is not a retransmission of this connection's own: the 4-tuple is reused
            c.close(c.lastSeenNs, emitter);
            connections.remove(probe);
            c = null;
        }
        if (c == null) {
            c = create(s, sourceIsA, opening);
            if (c == null) {
                return;
            }
        } else if (c.closed) {
            counters.segmentsAfterClose++;
            return;
        }
        c.onSegment(s, sourceIsA == c.clientIsEndpointA, emitter);
    }

    private TcpConnection create(TcpSegment s, boolean sourceIsA, boolean opening) {
        boolean synAck = s.has(TcpSegment.SYN) && s.has(TcpSegment.ACK);
        boolean midStream = !opening && !synAck;
        if (midStream && (s.payloadLength == 0 || s.has(TcpSegment.RST))) {
            // a bare ACK, FIN or RST of a connection we never saw: nothing to report
            counters.segmentsWithoutConnection++;
            return null;
        }
        boolean sourceIsClient = opening || !synAck && RoleInference.sourceIsClient(s);
        TcpConnection c = new TcpConnection(nextNumber++, s, sourceIsClient, sourceIsA, midStream, counters,
                maxHeldBytes, maxHeldSegments, emitter);
        counters.connections++;
        if (midStream) {
            counters.connectionsJoinedMidStream++;
        }
        connections.put(probe.copy(), c);
        emitter.open(c);
        evictBeyondLimit();
        return c;
    }

    private void evictBeyondLimit() {
        Iterator<Map.Entry<FlowKey, TcpConnection>> eldest = connections.entrySet().iterator();
        while (connections.size() > maxConnections && eldest.hasNext()) {
            TcpConnection c = eldest.next().getValue();
            if (!c.closed) {
                counters.connectionsEvicted++;
                c.close(c.lastSeenNs, emitter);
            }
            eldest.remove();
        }
    }

    /** End of the capture: every open connection is flushed and closed at its last packet. */
    void closeAll() {
        for (TcpConnection c : connections.values()) {
            c.close(c.lastSeenNs, emitter);
        }
        connections.clear();
    }
}

package io.spanscope.capture.pcap;

import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.Endpoint;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * One TCP connection of the capture: who is client and server, the handshake instants, and the two
 * direction reassemblers. Its synthetic identity is {@code (tgid 0, fd = number)}; the client view uses
 * generation 0 and the server view generation 1.
 */
final class TcpConnection {

    static final long CLIENT_VIEW_GENERATION = 0;
    static final long SERVER_VIEW_GENERATION = 1;

    final int number;
    final boolean clientIsEndpointA;
    final boolean joinedMidStream;
    final boolean ipv6;
    final byte[] clientAddress;
    final byte[] serverAddress;
    final int clientPort;
    final int serverPort;
    final long openedNs;
    final ConnectionId clientViewId;
    final ConnectionId serverViewId;
    final StreamReassembler toServer;
    final StreamReassembler toClient;
    final StreamReassembler.ChunkConsumer toServerChunks;
    final StreamReassembler.ChunkConsumer toClientChunks;

    boolean synSeen;
    int clientInitialSequence;
    long synNs;
    long synAckNs;
    long handshakeAckNs;
    long lastSeenNs;
    boolean closed;

    TcpConnection(int number, TcpSegment first, boolean sourceIsClient, boolean sourceIsEndpointA,
                  boolean joinedMidStream, PcapCounters counters, int maxHeldBytes, int maxHeldSegments,
                  EventEmitter emitter) {
        this.number = number;
        this.clientIsEndpointA = sourceIsClient == sourceIsEndpointA;
        this.joinedMidStream = joinedMidStream;
        this.ipv6 = first.ipv6;
        int n = ipv6 ? 16 : 4;
        byte[] src = Arrays.copyOf(first.sourceAddress, 16);
        byte[] dst = Arrays.copyOf(first.destinationAddress, 16);
        Arrays.fill(src, n, 16, (byte) 0);
        Arrays.fill(dst, n, 16, (byte) 0);
        this.clientAddress = sourceIsClient ? src : dst;
        this.serverAddress = sourceIsClient ? dst : src;
        this.clientPort = sourceIsClient ? first.sourcePort : first.destinationPort;
        this.serverPort = sourceIsClient ? first.destinationPort : first.sourcePort;
        this.openedNs = first.timestampNs;
        this.lastSeenNs = first.timestampNs;
        this.clientViewId = new ConnectionId(0, number, CLIENT_VIEW_GENERATION);
        this.serverViewId = new ConnectionId(0, number, SERVER_VIEW_GENERATION);
        this.toServer = new StreamReassembler(counters, maxHeldBytes, maxHeldSegments);
        this.toClient = new StreamReassembler(counters, maxHeldBytes, maxHeldSegments);
        this.toServerChunks = (seq, count, buf, off, captured, ts) ->
                emitter.data(this, true, seq, count, buf, off, captured, ts);
        this.toClientChunks = (seq, count, buf, off, captured, ts) ->
                emitter.data(this, false, seq, count, buf, off, captured, ts);
    }

    /** Applies one segment; emits what it makes deliverable. */
    void onSegment(TcpSegment s, boolean fromClient, EventEmitter emitter) {
        lastSeenNs = s.timestampNs;
        StreamReassembler own = fromClient ? toServer : toClient;
        StreamReassembler peer = fromClient ? toClient : toServer;
        StreamReassembler.ChunkConsumer ownChunks = fromClient ? toServerChunks : toClientChunks;
        StreamReassembler.ChunkConsumer peerChunks = fromClient ? toClientChunks : toServerChunks;
        if (s.has(TcpSegment.RST)) {
            close(s.timestampNs, emitter);
            return;
        }
        int dataSequence = s.sequence;
        if (s.has(TcpSegment.SYN)) {
            own.onSyn(s.sequence);
            dataSequence = s.sequence + 1;
            onHandshakeSyn(s, fromClient, emitter);
        }
        if (s.has(TcpSegment.ACK)) {
            peer.onPeerAck(s.acknowledgment, peerChunks);
            if (fromClient && synAckNs != 0 && handshakeAckNs == 0) {
                handshakeAckNs = s.timestampNs;
                emitter.serverEstablished(this);
            }
        }
        own.onSegment(dataSequence, s.payloadLength, s.buffer, s.payloadOffset, s.capturedPayloadLength,
                s.timestampNs, ownChunks);
        if (s.has(TcpSegment.FIN)) {
            own.onFin();
        }
        if (toServer.finSeen() && toClient.finSeen()) {
            close(s.timestampNs, emitter);
        }
    }

    private void onHandshakeSyn(TcpSegment s, boolean fromClient, EventEmitter emitter) {
        if (fromClient && !s.has(TcpSegment.ACK)) {
            if (synNs == 0) {
                synNs = s.timestampNs;
                synSeen = true;
                clientInitialSequence = s.sequence;
            }
        } else if (!fromClient && s.has(TcpSegment.ACK) && synAckNs == 0) {
            synAckNs = s.timestampNs;
            emitter.clientEstablished(this);
        }
    }

    /** Delivers what is held (across gaps) and reports the close in every view. */
    void close(long timestampNs, EventEmitter emitter) {
        if (closed) {
            return;
        }
        toServer.flush(toServerChunks);
        toClient.flush(toClientChunks);
        closed = true;
        emitter.close(this, timestampNs);
    }

    Endpoint clientEndpoint() {
        return new Endpoint(address(clientAddress), clientPort);
    }

    Endpoint serverEndpoint() {
        return new Endpoint(address(serverAddress), serverPort);
    }

    private InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(ipv6 ? raw.clone() : Arrays.copyOf(raw, 4));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of fixed length rejected", e);
        }
    }
}

package io.spanscope.capture.pcap;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionEstablishedEvent;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.DataSource;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.capture.event.Role;

/**
 * Turns connection happenings into capture events, once per requested view: the client view
 * (role CLIENT, client→server bytes are EGRESS) and the server view (role SERVER, the same bytes are
 * INGRESS). Data goes through one reused {@link DataEvent} flyweight pointing at the packet bytes.
 */
final class EventEmitter {

    private final CaptureEventSink sink;
    private final Views views;
    private final PcapCounters counters;
    private final DataEvent event = new DataEvent().setSource(DataSource.PCAP);

    EventEmitter(CaptureEventSink sink, Views views, PcapCounters counters) {
        this.sink = sink;
        this.views = views;
        this.counters = counters;
    }

    void open(TcpConnection c) {
        Endpoint client = c.clientEndpoint();
        Endpoint server = c.serverEndpoint();
        if (views.includesClient()) {
            sink.onOpen(new ConnectionOpenEvent(c.clientViewId, 0, c.openedNs, Role.CLIENT, client, server,
                    c.joinedMidStream, 0));
        }
        if (views.includesServer()) {
            sink.onOpen(new ConnectionOpenEvent(c.serverViewId, 0, c.openedNs, Role.SERVER, server, client,
                    c.joinedMidStream, 0));
        }
    }

    /** SYN sent and SYN-ACK received, as the client knows them. */
    void clientEstablished(TcpConnection c) {
        if (views.includesClient()) {
            sink.onEstablished(new ConnectionEstablishedEvent(c.clientViewId, Role.CLIENT, c.synNs, c.synAckNs, 0));
        }
    }

    /** The handshake's last ACK reached the server; when the application accepted is not on the wire. */
    void serverEstablished(TcpConnection c) {
        if (views.includesServer()) {
            sink.onEstablished(new ConnectionEstablishedEvent(c.serverViewId, Role.SERVER, 0, c.handshakeAckNs, 0));
        }
    }

    void data(TcpConnection c, boolean clientToServer, int sequence, int byteCount, byte[] buffer, int offset,
              int capturedLength, long timestampNs) {
        counters.payloadBytes += byteCount;
        event.setTimestampNs(timestampNs)
                .setRange(sequence, byteCount)
                .setPayload(buffer, offset, capturedLength);
        if (views.includesClient()) {
            event.setConnection(0, 0, c.number, TcpConnection.CLIENT_VIEW_GENERATION)
                    .setRole(Role.CLIENT)
                    .setDirection(clientToServer ? Direction.EGRESS : Direction.INGRESS)
                    .setEndpoints(c.ipv6, c.clientAddress, 0, c.clientPort, c.serverAddress, 0, c.serverPort);
            counters.dataEvents++;
            sink.onData(event);
        }
        if (views.includesServer()) {
            event.setConnection(0, 0, c.number, TcpConnection.SERVER_VIEW_GENERATION)
                    .setRole(Role.SERVER)
                    .setDirection(clientToServer ? Direction.INGRESS : Direction.EGRESS)
                    .setEndpoints(c.ipv6, c.serverAddress, 0, c.serverPort, c.clientAddress, 0, c.clientPort);
            counters.dataEvents++;
            sink.onData(event);
        }
    }

    void close(TcpConnection c, long timestampNs) {
        long clientSent = c.toServer.deliveredBytes();
        long serverSent = c.toClient.deliveredBytes();
        if (views.includesClient()) {
            sink.onClose(new ConnectionCloseEvent(c.clientViewId, 0, timestampNs, clientSent, serverSent));
        }
        if (views.includesServer()) {
            sink.onClose(new ConnectionCloseEvent(c.serverViewId, 0, timestampNs, serverSent, clientSent));
        }
    }
}

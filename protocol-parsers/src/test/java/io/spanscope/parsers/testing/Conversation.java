package io.spanscope.parsers.testing;

import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.capture.event.Role;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Scripts one connection's capture events as a probe would report them: each {@code send} is one
 * syscall's data event with the right TCP sequence number per direction (starting near the 32-bit wrap,
 * so every test crosses it), timestamp and thread. Events are recorded as detached copies so tests can
 * deliver them in any order.
 */
public final class Conversation {

    public static final byte[] CLIENT_IP = {10, 0, 0, 1};
    public static final byte[] SERVER_IP = {10, 0, 0, 2};
    public static final int CLIENT_PORT = 40_000;
    public static final int SERVER_PORT = 8080;

    private final ConnectionId id;
    private final Role role;
    private final int[] nextSequence = new int[2];
    private final List<DataEvent> events = new ArrayList<>();

    public Conversation(int tgid, int fd, Role role, int egressSequence, int ingressSequence) {
        this.id = new ConnectionId(tgid, fd, 1);
        this.role = role;
        nextSequence[Direction.EGRESS.ordinal()] = egressSequence;
        nextSequence[Direction.INGRESS.ordinal()] = ingressSequence;
    }

    /** A server-side conversation whose sequence numbers wrap within the first kilobytes. */
    public static Conversation server() {
        return new Conversation(4242, 7, Role.SERVER, 0xFFFF_FF00, 0xFFFF_FFF0);
    }

    public static Conversation client() {
        return new Conversation(5151, 9, Role.CLIENT, 0xFFFF_FFF0, 0x7FFF_FFF0);
    }

    public ConnectionId id() {
        return id;
    }

    public Role role() {
        return role;
    }

    public Direction requestDirection() {
        return role == Role.CLIENT ? Direction.EGRESS : Direction.INGRESS;
    }

    public Endpoint local() {
        return role == Role.CLIENT ? endpoint(CLIENT_IP, CLIENT_PORT) : endpoint(SERVER_IP, SERVER_PORT);
    }

    public Endpoint remote() {
        return role == Role.CLIENT ? endpoint(SERVER_IP, SERVER_PORT) : endpoint(CLIENT_IP, CLIENT_PORT);
    }

    public ConnectionOpenEvent open(long timestampNs, boolean joinedMidStream) {
        return new ConnectionOpenEvent(id, 100, timestampNs, role, local(), remote(), joinedMidStream, 0);
    }

    public ConnectionCloseEvent close(long timestampNs) {
        return new ConnectionCloseEvent(id, 100, timestampNs, 0, 0);
    }

    /** Next sequence number of a direction, unsigned. */
    public long sequence(Direction direction) {
        return Integer.toUnsignedLong(nextSequence[direction.ordinal()]);
    }

    public DataEvent request(String text, long timestampNs, int tid) {
        return send(requestDirection(), bytes(text), timestampNs, tid);
    }

    public DataEvent response(String text, long timestampNs, int tid) {
        return send(requestDirection().opposite(), bytes(text), timestampNs, tid);
    }

    public DataEvent send(Direction direction, byte[] payload, long timestampNs, int tid) {
        return sendTruncated(direction, payload, payload.length, timestampNs, tid);
    }

    /** One syscall of {@code byteCount} bytes of which only {@code payload} was captured. */
    public DataEvent sendTruncated(Direction direction, byte[] payload, int byteCount, long timestampNs, int tid) {
        int d = direction.ordinal();
        DataEvent event = new DataEvent()
                .setConnection(id.tgid(), tid, id.fd(), id.generation())
                .setTimestampNs(timestampNs)
                .setDirection(direction)
                .setRole(role)
                .setEndpoints(false, addressOf(local()), 0, local().port(), addressOf(remote()), 0, remote().port())
                .setRange(nextSequence[d], byteCount)
                .setPayload(payload, 0, payload.length)
                .copy();
        nextSequence[d] += byteCount;
        events.add(event);
        return event;
    }

    /** Skips stream bytes without an event: a range the capture lost. */
    public void lose(Direction direction, int bytes) {
        nextSequence[direction.ordinal()] += bytes;
    }

    public List<DataEvent> events() {
        return events;
    }

    public static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] addressOf(Endpoint endpoint) {
        return endpoint.address().getAddress();
    }

    private static Endpoint endpoint(byte[] ip, int port) {
        try {
            return new Endpoint(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.spanscope.capture.testing;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionEstablishedEvent;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Keeps every event it is given (data events as copies), in arrival order, for assertions. Synchronized,
 * so one instance can serve every worker of a live capture; the accessors return snapshots.
 */
public final class RecordingSink implements CaptureEventSink {

    private final List<Object> events = new ArrayList<>();
    private final List<ConnectionOpenEvent> opens = new ArrayList<>();
    private final List<ConnectionEstablishedEvent> established = new ArrayList<>();
    private final List<DataEvent> data = new ArrayList<>();
    private final List<ConnectionCloseEvent> closes = new ArrayList<>();

    @Override
    public synchronized void onOpen(ConnectionOpenEvent event) {
        opens.add(event);
        events.add(event);
    }

    @Override
    public synchronized void onEstablished(ConnectionEstablishedEvent event) {
        established.add(event);
        events.add(event);
    }

    @Override
    public synchronized void onData(DataEvent event) {
        DataEvent copy = event.copy();
        data.add(copy);
        events.add(copy);
    }

    @Override
    public synchronized void onClose(ConnectionCloseEvent event) {
        closes.add(event);
        events.add(event);
    }

    /** Every event, of every kind, in arrival order. */
    public synchronized List<Object> events() {
        return List.copyOf(events);
    }

    public synchronized List<ConnectionOpenEvent> opens() {
        return List.copyOf(opens);
    }

    public synchronized List<ConnectionEstablishedEvent> established() {
        return List.copyOf(established);
    }

    public synchronized List<DataEvent> data() {
        return List.copyOf(data);
    }

    public synchronized List<ConnectionCloseEvent> closes() {
        return List.copyOf(closes);
    }

    public synchronized List<DataEvent> data(Predicate<DataEvent> filter) {
        return data.stream().filter(filter).toList();
    }

    /** Data events of the process-side socket bound to {@code localPort}, one direction, arrival order. */
    public List<DataEvent> data(int localPort, Direction direction) {
        return data(e -> e.localPort() == localPort && e.direction() == direction);
    }

    /** Data events of one connection (view) and direction, arrival order. */
    public List<DataEvent> data(ConnectionId id, Direction direction) {
        return data(e -> e.connectionId().equals(id) && e.direction() == direction);
    }

    /** The captured bytes of one connection view and direction, concatenated in delivery order. */
    public byte[] stream(ConnectionId id, Direction direction) {
        return concat(data(id, direction));
    }

    /** Connection views by id, in order of their open events. */
    public synchronized Map<ConnectionId, ConnectionOpenEvent> opensById() {
        Map<ConnectionId, ConnectionOpenEvent> byId = new TreeMap<>(
                (a, b) -> a.fd() != b.fd() ? Integer.compare(a.fd(), b.fd()) : Long.compare(a.generation(), b.generation()));
        opens.forEach(o -> byId.put(o.id(), o));
        return byId;
    }

    public static byte[] concat(List<DataEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (DataEvent e : events) {
            out.write(e.payload(), e.payloadOffset(), e.payloadLength());
        }
        return out.toByteArray();
    }

    public static long byteCount(List<DataEvent> events) {
        return events.stream().mapToLong(DataEvent::byteCount).sum();
    }

    /** Polls until {@code condition} holds or the (generous) timeout passes; returns the last verdict. */
    public static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }
}

package io.spanscope.capture.live;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionEstablishedEvent;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** Keeps copies of every event it is given; shared by all workers, so synchronized. */
final class RecordingSink implements CaptureEventSink {

    private final List<ConnectionOpenEvent> opens = new ArrayList<>();
    private final List<ConnectionEstablishedEvent> established = new ArrayList<>();
    private final List<DataEvent> data = new ArrayList<>();
    private final List<ConnectionCloseEvent> closes = new ArrayList<>();

    @Override
    public synchronized void onOpen(ConnectionOpenEvent event) {
        opens.add(event);
    }

    @Override
    public synchronized void onEstablished(ConnectionEstablishedEvent event) {
        established.add(event);
    }

    @Override
    public synchronized void onData(DataEvent event) {
        data.add(event.copy());
    }

    @Override
    public synchronized void onClose(ConnectionCloseEvent event) {
        closes.add(event);
    }

    synchronized List<ConnectionOpenEvent> opens() {
        return List.copyOf(opens);
    }

    synchronized List<ConnectionEstablishedEvent> established() {
        return List.copyOf(established);
    }

    synchronized List<ConnectionCloseEvent> closes() {
        return List.copyOf(closes);
    }

    synchronized List<DataEvent> data(Predicate<DataEvent> filter) {
        return data.stream().filter(filter).toList();
    }

    /** Data events of the process-side socket bound to {@code localPort}, one direction, arrival order. */
    List<DataEvent> data(int localPort, Direction direction) {
        return data(e -> e.localPort() == localPort && e.direction() == direction);
    }

    static byte[] concat(List<DataEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (DataEvent e : events) {
            out.write(e.payload(), e.payloadOffset(), e.payloadLength());
        }
        return out.toByteArray();
    }

    static long byteCount(List<DataEvent> events) {
        return events.stream().mapToLong(DataEvent::byteCount).sum();
    }

    /** Polls until {@code condition} holds or the (generous) timeout passes; returns the last verdict. */
    static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
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

package io.spanscope.capture.pcap;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionEstablishedEvent;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Keeps every event (data as copies) in arrival order, for assertions. */
public final class RecordingSink implements CaptureEventSink {

    public final List<Object> events = new ArrayList<>();
    public final List<ConnectionOpenEvent> opens = new ArrayList<>();
    public final List<ConnectionEstablishedEvent> established = new ArrayList<>();
    public final List<DataEvent> data = new ArrayList<>();
    public final List<ConnectionCloseEvent> closes = new ArrayList<>();

    @Override
    public void onOpen(ConnectionOpenEvent event) {
        opens.add(event);
        events.add(event);
    }

    @Override
    public void onEstablished(ConnectionEstablishedEvent event) {
        established.add(event);
        events.add(event);
    }

    @Override
    public void onData(DataEvent event) {
        DataEvent copy = event.copy();
        data.add(copy);
        events.add(copy);
    }

    @Override
    public void onClose(ConnectionCloseEvent event) {
        closes.add(event);
        events.add(event);
    }

    public List<DataEvent> data(ConnectionId id, Direction direction) {
        return data.stream()
                .filter(e -> e.connectionId().equals(id) && e.direction() == direction)
                .toList();
    }

    /** The captured bytes of one connection view and direction, concatenated in delivery order. */
    public byte[] stream(ConnectionId id, Direction direction) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (DataEvent e : data(id, direction)) {
            out.write(e.payload(), e.payloadOffset(), e.payloadLength());
        }
        return out.toByteArray();
    }

    /** Connection views by id, in order of their open events. */
    public Map<ConnectionId, ConnectionOpenEvent> opensById() {
        Map<ConnectionId, ConnectionOpenEvent> byId = new TreeMap<>(
                (a, b) -> a.fd() != b.fd() ? Integer.compare(a.fd(), b.fd()) : Long.compare(a.generation(), b.generation()));
        opens.forEach(o -> byId.put(o.id(), o));
        return byId;
    }
}

package io.spanscope.parsers.bench;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.pcap.PcapReader;
import io.spanscope.capture.pcap.Views;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.ParserConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The capture events of one view of a pcap, read once (data events copied: the reader reuses its
 * flyweight) so that parser benchmarks replay them without measuring pcap reading.
 */
final class RecordedEvents {

    private final Object[] events;
    private final long payloadBytes;

    private RecordedEvents(Object[] events, long payloadBytes) {
        this.events = events;
        this.payloadBytes = payloadBytes;
    }

    static RecordedEvents read(Path pcap, Views views) throws IOException {
        List<Object> all = new ArrayList<>();
        long[] bytes = {0};
        try (PcapReader reader = PcapReader.builder().views(views).open(pcap)) {
            reader.read(new CaptureEventSink() {
                @Override
                public void onOpen(ConnectionOpenEvent event) {
                    all.add(event);
                }

                @Override
                public void onData(DataEvent event) {
                    all.add(event.copy());
                    bytes[0] += event.payloadLength();
                }

                @Override
                public void onClose(ConnectionCloseEvent event) {
                    all.add(event);
                }
            });
        }
        return new RecordedEvents(all.toArray(), bytes[0]);
    }

    /** The same events laid out for a flyweight replay. */
    PackedEvents packed() {
        return PackedEvents.of(events);
    }

    long payloadBytes() {
        return payloadBytes;
    }

    /** Replays every event through a fresh tracker with default settings, ends it; returns the record count. */
    long replayThroughNewTracker() {
        long[] records = {0};
        ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), r -> records[0]++);
        for (Object e : events) {
            if (e instanceof DataEvent data) {
                tracker.onData(data);
            } else if (e instanceof ConnectionOpenEvent open) {
                tracker.onOpen(open);
            } else if (e instanceof ConnectionCloseEvent close) {
                tracker.onClose(close);
            }
        }
        tracker.endAll();
        return records[0];
    }
}

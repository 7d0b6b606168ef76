package io.spanscope.parsers.bench;

import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.ParserConfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Recorded events laid out as the live source hands them over: every data payload back to back in one
 * array, each data event fed as a reused {@link DataEvent} flyweight pointed at its slice (one
 * flyweight per connection, holding the fields that do not change from event to event), as the ring
 * reader's decoder does; open and close events as recorded. Replaying costs the parser what the live
 * path costs it, without the scattered event copies of {@link RecordedEvents}.
 */
final class PackedEvents {

    private final byte[] payloads;
    /** Per event: the flyweight's index for a data event, else {@code -1 - k} for {@code others[k]}. */
    private final int[] kinds;
    private final long[] timestamps;
    private final int[] tids;
    private final boolean[] egress;
    private final int[] sequences;
    private final int[] byteCounts;
    private final int[] lengths;
    private final DataEvent[] flyweights;
    private final Object[] others;

    private PackedEvents(Object[] events) {
        int n = events.length;
        kinds = new int[n];
        timestamps = new long[n];
        tids = new int[n];
        egress = new boolean[n];
        sequences = new int[n];
        byteCounts = new int[n];
        lengths = new int[n];
        Map<ConnectionId, Integer> flyweightOf = new HashMap<>();
        List<DataEvent> connections = new ArrayList<>();
        List<Object> rest = new ArrayList<>();
        int total = 0;
        for (Object e : events) {
            if (e instanceof DataEvent data) {
                total += data.payloadLength();
            }
        }
        payloads = new byte[total];
        int at = 0;
        for (int i = 0; i < n; i++) {
            if (!(events[i] instanceof DataEvent data)) {
                kinds[i] = -1 - rest.size();
                rest.add(events[i]);
                continue;
            }
            kinds[i] = flyweightOf.computeIfAbsent(data.connectionId(), id -> {
                connections.add(data.copy());
                return connections.size() - 1;
            });
            timestamps[i] = data.timestampNs();
            tids[i] = data.tid();
            egress[i] = data.direction() == Direction.EGRESS;
            sequences[i] = data.tcpSequence();
            byteCounts[i] = data.byteCount();
            lengths[i] = data.payloadLength();
            System.arraycopy(data.payload(), data.payloadOffset(), payloads, at, data.payloadLength());
            at += data.payloadLength();
        }
        flyweights = connections.toArray(new DataEvent[0]);
        others = rest.toArray();
    }

    static PackedEvents of(Object[] events) {
        return new PackedEvents(events);
    }

    /** Replays every event through a fresh tracker with default settings, ends it; returns the record count. */
    long replayThroughNewTracker() {
        long[] records = {0};
        ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), r -> records[0]++);
        int at = 0;
        for (int i = 0, n = kinds.length; i < n; i++) {
            int kind = kinds[i];
            if (kind >= 0) {
                DataEvent e = flyweights[kind];
                int length = lengths[i];
                e.setConnection(e.tgid(), tids[i], e.fd(), e.generation())
                        .setTimestampNs(timestamps[i])
                        .setDirection(egress[i] ? Direction.EGRESS : Direction.INGRESS)
                        .setRange(sequences[i], byteCounts[i])
                        .setPayload(payloads, at, length);
                at += length;
                tracker.onData(e);
            } else if (others[-1 - kind] instanceof ConnectionOpenEvent open) {
                tracker.onOpen(open);
            } else if (others[-1 - kind] instanceof ConnectionCloseEvent close) {
                tracker.onClose(close);
            }
        }
        tracker.endAll();
        return records[0];
    }
}

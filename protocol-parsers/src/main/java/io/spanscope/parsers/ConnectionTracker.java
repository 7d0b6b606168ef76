package io.spanscope.parsers;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionEstablishedEvent;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.detect.ProtocolRegistry;
import io.spanscope.parsers.record.ConnectionInfo;
import io.spanscope.parsers.record.ConnectionSetup;
import io.spanscope.parsers.record.RecordSink;
import io.spanscope.parsers.stream.MemoryBudget;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns capture events into {@link io.spanscope.parsers.record.Record}s. One tracker per worker thread
 * (events of one connection always reach the same worker); not thread-safe. Connections live in a
 * bounded map in least-recently-active order: beyond {@link ParserConfig#maxConnections()} the oldest is
 * evicted, and {@link #evictIdle(long)} removes those idle longer than the idle timeout. Ending a
 * connection (close, eviction, {@link #endAll(long)}) completes close-delimited responses and emits
 * pending requests flagged {@code RESPONSE_MISSING}.
 *
 * <p>Parsers do not throw on bad input; should one throw anyway, the exception stops here: it is
 * counted as {@link DropReason#HANDLER_FAILURE} and the connection's later bytes are only counted.
 */
public final class ConnectionTracker implements CaptureEventSink {

    private final ParserConfig config;
    private final ProtocolRegistry registry;
    private final RecordSink sink;
    private final ParserStats stats;
    private final LinkedHashMap<Key, TrackedConnection> connections = new LinkedHashMap<>(256, 0.75f, true);
    private final Key probe = new Key();
    /**
     * The connection of the last data event, found without the map while events keep coming for it
     * (a burst of one connection's syscalls is the common case). Nothing else touches the map in
     * between, so it is still the most recently used and skipping the map's reordering changes no
     * eviction order; every other map operation forgets it.
     */
    private final Key lastKey = new Key();
    private TrackedConnection lastConnection;

    public ConnectionTracker(ParserConfig config, RecordSink sink) {
        this(config, ProtocolRegistry.defaults(), sink);
    }

    public ConnectionTracker(ParserConfig config, ProtocolRegistry registry, RecordSink sink) {
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.stats = new ParserStats(new MemoryBudget(config.maxTotalBufferedBytes()));
    }

    public ParserStats stats() {
        return stats;
    }

    private long lastEventNs;

    public int connectionCount() {
        return connections.size();
    }

    @Override
    public void onOpen(ConnectionOpenEvent event) {
        noteTime(event.timestampNs());
        lastConnection = null;
        Key key = new Key().set(event.id().tgid(), event.id().fd(), event.id().generation());
        TrackedConnection previous = connections.remove(key);
        if (previous != null) {
            endQuietly(previous, event.timestampNs(), false);
            stats.countConnectionEvicted();
        }
        ConnectionInfo info = new ConnectionInfo(event.id(), event.role(), event.local(), event.remote(),
                event.joinedMidStream());
        add(key, info, event.timestampNs());
    }

    @Override
    public void onEstablished(ConnectionEstablishedEvent event) {
        ConnectionId id = event.id();
        lastConnection = null;
        TrackedConnection connection = connections.get(probe.set(id.tgid(), id.fd(), id.generation()));
        if (connection != null) {
            connection.setup(new ConnectionSetup(event.synSentNs(), event.establishedNs(), event.acceptedNs()));
        }
    }

    @Override
    public void onData(DataEvent event) {
        noteTime(event.timestampNs());
        TrackedConnection connection = lastConnection;
        if (connection == null || !lastKey.is(event.tgid(), event.fd(), event.generation())) {
            connection = connections.get(probe.set(event.tgid(), event.fd(), event.generation()));
            if (connection == null) {
                connection = addJoined(event);
            }
            lastKey.set(event.tgid(), event.fd(), event.generation());
            lastConnection = connection;
        }
        try {
            if (event.hasCause() && event.direction() == Direction.EGRESS) {
                connection.noteCause(event.tcpSequence(), event.byteCount(), event.causeGeneration(),
                        event.causeSequence());
            } else if (event.hasCompletedCall() && event.direction() == Direction.EGRESS) {
                connection.noteCompletedCall(event.tcpSequence(), event.byteCount(), event.completedCallGeneration(),
                        event.completedCallSequence());
            }
            if (event.clientWokenNs() != 0 && event.direction() == Direction.EGRESS) {
                connection.noteClientWakeup(event.tcpSequence(), event.clientWokenNs());
            }
            connection.onData(event.source(), event.direction(), event.tcpSequence(), event.sequenceKnown(),
                    event.byteCount(), event.payload(),
                    event.payloadOffset(), event.payloadLength(), event.timestampNs(), event.tid());
        } catch (RuntimeException e) {
            stats.countDrop(DropReason.HANDLER_FAILURE);
            connection.fail();
        }
    }

    @Override
    public void onClose(ConnectionCloseEvent event) {
        noteTime(event.timestampNs());
        ConnectionId id = event.id();
        lastConnection = null;
        TrackedConnection connection = connections.remove(probe.set(id.tgid(), id.fd(), id.generation()));
        if (connection != null) {
            endQuietly(connection, event.timestampNs(), true);
            stats.countConnectionClosed();
        }
    }

    /**
     * Ends connections without events for {@link ParserConfig#idleTimeoutNs()} before {@code nowNs}
     * (source clock). Call periodically from the worker thread.
     *
     * @return how many were evicted
     */
    public int evictIdle(long nowNs) {
        lastConnection = null;
        List<TrackedConnection> idle = new ArrayList<>();
        Iterator<Map.Entry<Key, TrackedConnection>> it = connections.entrySet().iterator();
        while (it.hasNext()) {
            TrackedConnection connection = it.next().getValue();
            if (nowNs - connection.lastActivityNs < config.idleTimeoutNs()) {
                break;
            }
            it.remove();
            idle.add(connection);
        }
        for (TrackedConnection connection : idle) {
            endQuietly(connection, nowNs, false);
            stats.countConnectionEvicted();
        }
        return idle.size();
    }

    /** The latest event timestamp seen (source clock): "now" when a replayed file ends. */
    public long lastEventNs() {
        return lastEventNs;
    }

    /** Ends every connection at the latest event time seen: the end of a replayed file. */
    public void endAll() {
        endAll(lastEventNs);
    }

    private void noteTime(long timestampNs) {
        if (timestampNs > lastEventNs) {
            lastEventNs = timestampNs;
        }
    }

    /** Ends every connection (capture stopped, end of a replayed file), emitting what is pending. */
    public void endAll(long nowNs) {
        lastConnection = null;
        List<TrackedConnection> all = new ArrayList<>(connections.values());
        connections.clear();
        for (TrackedConnection connection : all) {
            endQuietly(connection, nowNs, false);
            stats.countConnectionClosed();
        }
    }

    private TrackedConnection addJoined(DataEvent event) {
        Role role = event.role();
        ConnectionInfo info = new ConnectionInfo(event.connectionId(), role, event.localEndpoint(),
                event.remoteEndpoint(), true);
        return add(new Key().set(event.tgid(), event.fd(), event.generation()), info, event.timestampNs());
    }

    private TrackedConnection add(Key key, ConnectionInfo info, long nowNs) {
        if (connections.size() >= config.maxConnections()) {
            Iterator<Map.Entry<Key, TrackedConnection>> eldest = connections.entrySet().iterator();
            TrackedConnection evicted = eldest.next().getValue();
            eldest.remove();
            stats.countDrop(DropReason.CONNECTION_LIMIT);
            endQuietly(evicted, nowNs, false);
            stats.countConnectionEvicted();
        }
        TrackedConnection connection = new TrackedConnection(info, config, stats, registry, sink, nowNs);
        connections.put(key, connection);
        stats.countConnectionOpened(info.joinedMidStream());
        return connection;
    }

    private void endQuietly(TrackedConnection connection, long nowNs, boolean closed) {
        try {
            connection.end(nowNs, closed);
        } catch (RuntimeException e) {
            stats.countDrop(DropReason.HANDLER_FAILURE);
        }
    }

    /** Map key; one mutable instance probes lookups so the per-event path allocates nothing. */
    private static final class Key {
        private int tgid;
        private int fd;
        private long generation;

        Key set(int tgid, int fd, long generation) {
            this.tgid = tgid;
            this.fd = fd;
            this.generation = generation;
            return this;
        }

        boolean is(int tgid, int fd, long generation) {
            return this.tgid == tgid && this.fd == fd && this.generation == generation;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.tgid == tgid && k.fd == fd && k.generation == generation;
        }

        @Override
        public int hashCode() {
            return ConnectionId.shardHash(tgid, fd) * 31 + Long.hashCode(generation);
        }
    }
}

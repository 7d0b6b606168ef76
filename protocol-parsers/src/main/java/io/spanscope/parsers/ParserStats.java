package io.spanscope.parsers;

import io.spanscope.parsers.stream.MemoryBudget;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counters of one tracker (one worker thread). Written only by that thread without synchronisation,
 * so the hot path stays cheap; {@link #snapshot()} from another thread may see slightly stale values.
 * The {@code count*} methods are for the parsing components; readers use the getters or a snapshot.
 */
public final class ParserStats {

    private final MemoryBudget memory;
    private long records;
    private long parseErrors;
    private long gaps;
    private long gapBytes;
    private long resyncs;
    private long duplicateBytes;
    private long outOfOrderChunks;
    private long capturedBytes;
    private long unparsedBytes;
    private long connectionsOpened;
    private long connectionsClosed;
    private long connectionsEvicted;
    private long activeConnections;
    private long joinedConnections;
    private long protocolUpgrades;
    private final long[] drops = new long[DropReason.values().length];

    public ParserStats(MemoryBudget memory) {
        this.memory = memory;
    }

    public MemoryBudget memory() {
        return memory;
    }

    public void countRecord() {
        records++;
    }

    public void countParseError() {
        parseErrors++;
    }

    public void countGap(long missingBytes) {
        gaps++;
        gapBytes += missingBytes;
    }

    public void countResync() {
        resyncs++;
    }

    public void countDuplicateBytes(long bytes) {
        duplicateBytes += bytes;
    }

    public void countOutOfOrderChunk() {
        outOfOrderChunks++;
    }

    public void countCapturedBytes(long bytes) {
        capturedBytes += bytes;
    }

    public void countUnparsedBytes(long bytes) {
        unparsedBytes += bytes;
    }

    public void countConnectionOpened(boolean joinedMidStream) {
        connectionsOpened++;
        activeConnections++;
        if (joinedMidStream) {
            joinedConnections++;
        }
    }

    public void countConnectionClosed() {
        connectionsClosed++;
        activeConnections--;
    }

    public void countConnectionEvicted() {
        connectionsEvicted++;
        activeConnections--;
    }

    public void countProtocolUpgrade() {
        protocolUpgrades++;
    }

    public void countDrop(DropReason reason) {
        drops[reason.ordinal()]++;
    }

    /** Exchanges delivered to the record sink. */
    public long records() {
        return records;
    }

    /** Messages that broke a protocol rule or limit. */
    public long parseErrors() {
        return parseErrors;
    }

    /** Missing stream ranges (lost events, truncated payloads, given-up waits, dropped buffers). */
    public long gaps() {
        return gaps;
    }

    public long gapBytes() {
        return gapBytes;
    }

    /** Times a parser lost its place and scanned for the next message boundary. */
    public long resyncs() {
        return resyncs;
    }

    /** Bytes received twice (retransmitted or overlapping chunks) and trimmed. */
    public long duplicateBytes() {
        return duplicateBytes;
    }

    /** Chunks that arrived ahead of a missing range and were held. */
    public long outOfOrderChunks() {
        return outOfOrderChunks;
    }

    /** Payload bytes received in data events. */
    public long capturedBytes() {
        return capturedBytes;
    }

    /** Bytes passed by without parsing: unknown protocols, upgraded connections, resync scans. */
    public long unparsedBytes() {
        return unparsedBytes;
    }

    public long connectionsOpened() {
        return connectionsOpened;
    }

    public long connectionsClosed() {
        return connectionsClosed;
    }

    /** Connections removed for idleness or to make room. */
    public long connectionsEvicted() {
        return connectionsEvicted;
    }

    public long activeConnections() {
        return activeConnections;
    }

    public long joinedConnections() {
        return joinedConnections;
    }

    public long protocolUpgrades() {
        return protocolUpgrades;
    }

    public long drops(DropReason reason) {
        return drops[reason.ordinal()];
    }

    /** Bytes currently held in stream buffers (gauge). */
    public long bufferedBytes() {
        return memory.used();
    }

    public long peakBufferedBytes() {
        return memory.peak();
    }

    public Snapshot snapshot() {
        Map<DropReason, Long> dropMap = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            dropMap.put(r, drops[r.ordinal()]);
        }
        return new Snapshot(records, parseErrors, gaps, gapBytes, resyncs, duplicateBytes, outOfOrderChunks,
                capturedBytes, unparsedBytes, connectionsOpened, connectionsClosed, connectionsEvicted,
                activeConnections, joinedConnections, protocolUpgrades, memory.used(), memory.peak(),
                Collections.unmodifiableMap(dropMap));
    }

    /** An immutable copy of all counters at one moment. */
    public record Snapshot(
            long records,
            long parseErrors,
            long gaps,
            long gapBytes,
            long resyncs,
            long duplicateBytes,
            long outOfOrderChunks,
            long capturedBytes,
            long unparsedBytes,
            long connectionsOpened,
            long connectionsClosed,
            long connectionsEvicted,
            long activeConnections,
            long joinedConnections,
            long protocolUpgrades,
            long bufferedBytes,
            long peakBufferedBytes,
            Map<DropReason, Long> drops) {

        public long drops(DropReason reason) {
            return drops.getOrDefault(reason, 0L);
        }
    }
}

package io.spanscope.capture.pcap;

/**
 * What one read of a capture file saw, dropped and delivered. Immutable.
 *
 * <p>Packet level: every packet lands in exactly one of {@code tcpSegments}, {@code nonTcpPackets},
 * {@code ipFragments}, {@code malformedPackets}, {@code unsupportedLinkTypePackets}, or (headers cut by
 * the snap length) {@code truncatedPackets}; {@code truncatedPackets} also counts TCP segments whose payload
 * the snap length cut (delivered as events with {@code payloadLength < byteCount}).
 *
 * <p>Stream level, per direction of a connection: {@code retransmittedBytes} were trimmed (exact and partial
 * overlaps), {@code outOfOrderSegments} were held and delivered later in sequence order, {@code gaps} are
 * ranges of {@code gapBytes} that the capture never saw and that were skipped with a sequence jump.
 */
public record PcapStats(
        long packets,
        long tcpSegments,
        long nonTcpPackets,
        long ipFragments,
        long malformedPackets,
        long truncatedPackets,
        long unsupportedLinkTypePackets,
        long corruptRecords,
        long skippedBlocks,
        boolean stoppedAtCorruptRecord,
        boolean truncatedFileTail,
        long connections,
        long connectionsJoinedMidStream,
        long connectionsEvicted,
        long segmentsWithoutConnection,
        long segmentsAfterClose,
        long payloadBytes,
        long dataEvents,
        long retransmittedSegments,
        long retransmittedBytes,
        long outOfOrderSegments,
        long gaps,
        long gapBytes) {

    static PcapStats of(PcapCounters c) {
        return new PcapStats(c.packets, c.tcpSegments, c.nonTcpPackets, c.ipFragments, c.malformedPackets,
                c.truncatedPackets, c.unsupportedLinkTypePackets, c.corruptRecords, c.skippedBlocks,
                c.stoppedAtCorruptRecord, c.truncatedFileTail, c.connections, c.connectionsJoinedMidStream,
                c.connectionsEvicted, c.segmentsWithoutConnection, c.segmentsAfterClose, c.payloadBytes,
                c.dataEvents, c.retransmittedSegments, c.retransmittedBytes, c.outOfOrderSegments, c.gaps,
                c.gapBytes);
    }
}

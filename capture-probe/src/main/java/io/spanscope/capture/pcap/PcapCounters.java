package io.spanscope.capture.pcap;

/** The mutable tallies of one read; {@link PcapStats#of} takes an immutable snapshot. Single-threaded. */
final class PcapCounters {

    long packets;
    long tcpSegments;
    long nonTcpPackets;
    long ipFragments;
    long malformedPackets;
    long truncatedPackets;
    long unsupportedLinkTypePackets;
    long corruptRecords;
    long skippedBlocks;
    boolean stoppedAtCorruptRecord;
    boolean truncatedFileTail;

    long connections;
    long connectionsJoinedMidStream;
    long connectionsEvicted;
    long segmentsWithoutConnection;
    long segmentsAfterClose;

    long payloadBytes;
    long dataEvents;
    long retransmittedSegments;
    long retransmittedBytes;
    long outOfOrderSegments;
    long gaps;
    long gapBytes;
}

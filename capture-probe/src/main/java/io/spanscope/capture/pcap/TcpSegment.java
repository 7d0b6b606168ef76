package io.spanscope.capture.pcap;

/**
 * The TCP part of one decoded packet: addresses, ports, sequence numbers, flags and where its payload
 * lies in the packet buffer. A reused flyweight, valid until the next packet is decoded.
 */
final class TcpSegment {

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int ACK = 0x10;

    boolean ipv6;
    final byte[] sourceAddress = new byte[16];
    final byte[] destinationAddress = new byte[16];
    int sourcePort;
    int destinationPort;
    int sequence;
    int acknowledgment;
    int flags;
    long timestampNs;
    byte[] buffer;
    int payloadOffset;
    /** Payload bytes the segment carried on the wire. */
    int payloadLength;
    /** Payload bytes present in the capture (less than {@link #payloadLength} when the snap length cut it). */
    int capturedPayloadLength;

    boolean has(int flag) {
        return (flags & flag) != 0;
    }
}

package io.spanscope.capture.pcap;

/**
 * One captured packet as a record reader found it: a reused flyweight pointing into the reader's buffer,
 * valid until the next record is read.
 */
final class PacketRecord {

    int linkType;
    long timestampNs;
    byte[] buffer;
    int offset;
    int capturedLength;
    int originalLength;

    void set(int linkType, long timestampNs, byte[] buffer, int offset, int capturedLength, int originalLength) {
        this.linkType = linkType;
        this.timestampNs = timestampNs;
        this.buffer = buffer;
        this.offset = offset;
        this.capturedLength = capturedLength;
        this.originalLength = originalLength;
    }

    boolean isSnapTruncated() {
        return capturedLength < originalLength;
    }
}

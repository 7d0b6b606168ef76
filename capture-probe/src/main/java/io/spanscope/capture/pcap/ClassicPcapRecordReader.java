package io.spanscope.capture.pcap;

import java.io.IOException;

/**
 * Classic libpcap files: a 24-byte header whose magic gives byte order and timestamp resolution
 * (0xa1b2c3d4 microseconds, 0xa1b23c4d nanoseconds), then 16-byte record headers each followed by the
 * packet bytes. The format has no framing redundancy: a record whose length is impossible ends the
 * read (counted as a corrupt record) because the next record's start cannot be found.
 */
final class ClassicPcapRecordReader implements PacketRecordReader {

    static final int MAGIC_MICROS = 0xA1B2C3D4;
    static final int MAGIC_NANOS = 0xA1B23C4D;
    private static final int FILE_HEADER_BYTES = 24;
    private static final int RECORD_HEADER_BYTES = 16;

    private final ByteInput input;
    private final PcapCounters counters;
    private final boolean bigEndian;
    private final boolean nanos;
    private final int linkType;
    private final int maxPacketBytes;
    private boolean ended;

    private ClassicPcapRecordReader(ByteInput input, PcapCounters counters, boolean bigEndian, boolean nanos,
                                    int linkType, int maxPacketBytes) {
        this.input = input;
        this.counters = counters;
        this.bigEndian = bigEndian;
        this.nanos = nanos;
        this.linkType = linkType;
        this.maxPacketBytes = maxPacketBytes;
    }

    /** Reads and checks the file header; the input is positioned at the first record afterwards. */
    static ClassicPcapRecordReader open(ByteInput input, PcapCounters counters, int maxPacketBytes)
            throws IOException {
        if (!input.require(FILE_HEADER_BYTES)) {
            throw new PcapFormatException("pcap file header truncated: " + input.available() + " of 24 bytes");
        }
        byte[] b = input.buffer();
        int p = input.position();
        int magicBe = ByteOrderReads.i32be(b, p);
        int magicLe = ByteOrderReads.i32le(b, p);
        boolean bigEndian;
        int magic;
        if (magicBe == MAGIC_MICROS || magicBe == MAGIC_NANOS) {
            bigEndian = true;
            magic = magicBe;
        } else if (magicLe == MAGIC_MICROS || magicLe == MAGIC_NANOS) {
            bigEndian = false;
            magic = magicLe;
        } else {
            throw new PcapFormatException(String.format("not a pcap file: magic 0x%08x", magicBe));
        }
        int major = ByteOrderReads.u16(b, p + 4, bigEndian);
        if (major != 2) {
            throw new PcapFormatException("unsupported pcap version " + major);
        }
        // the upper bits of the link-type field carry FCS information (pcap spec); the type is the low 16
        int linkType = ByteOrderReads.i32(b, p + 20, bigEndian) & 0xFFFF;
        input.consume(FILE_HEADER_BYTES);
        return new ClassicPcapRecordReader(input, counters, bigEndian, magic == MAGIC_NANOS, linkType,
                maxPacketBytes);
    }

    @Override
    public boolean next(PacketRecord record) throws IOException {
        if (ended) {
            return false;
        }
        if (!input.require(RECORD_HEADER_BYTES)) {
            return endOfFile(input.available());
        }
        byte[] b = input.buffer();
        int p = input.position();
        long seconds = ByteOrderReads.u32(b, p, bigEndian);
        long fraction = ByteOrderReads.u32(b, p + 4, bigEndian);
        long capturedLength = ByteOrderReads.u32(b, p + 8, bigEndian);
        long originalLength = ByteOrderReads.u32(b, p + 12, bigEndian);
        if (capturedLength > maxPacketBytes || fraction >= (nanos ? 1_000_000_000L : 1_000_000L)) {
            counters.corruptRecords++;
            counters.stoppedAtCorruptRecord = true;
            ended = true;
            return false;
        }
        input.consume(RECORD_HEADER_BYTES);
        if (!input.require((int) capturedLength)) {
            return endOfFile(input.available());
        }
        long timestampNs = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1000);
        int original = (int) Math.min(Math.max(originalLength, capturedLength), Integer.MAX_VALUE);
        record.set(linkType, timestampNs, input.buffer(), input.position(), (int) capturedLength, original);
        input.consume((int) capturedLength);
        return true;
    }

    private boolean endOfFile(int leftover) {
        if (leftover > 0) {
            counters.truncatedFileTail = true;
        }
        ended = true;
        return false;
    }
}

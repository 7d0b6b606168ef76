package io.spanscope.capture.pcap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * pcapng files: blocks of {@code type, totalLength, body, totalLength}. Section header blocks set the
 * byte order (and reset the interface list); interface description blocks give each interface's link
 * type and timestamp resolution ({@code if_tsresol}, {@code if_tsoffset}); enhanced, simple and obsolete
 * packet blocks carry packets; every other block is skipped without being buffered.
 *
 * <p>A packet block larger than the buffer is counted as corrupt and skipped (its framing is intact);
 * a block length that breaks framing (under 12, not a multiple of 4, or a trailing length that differs)
 * ends the read, counted.
 */
final class PcapngRecordReader implements PacketRecordReader {

    static final int SECTION_HEADER_BLOCK = 0x0A0D0D0A;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int INTERFACE_DESCRIPTION_BLOCK = 1;
    private static final int OBSOLETE_PACKET_BLOCK = 2;
    private static final int SIMPLE_PACKET_BLOCK = 3;
    private static final int ENHANCED_PACKET_BLOCK = 6;
    private static final int OPTION_END = 0;
    private static final int OPTION_IF_TSRESOL = 9;
    private static final int OPTION_IF_TSOFFSET = 14;
    private static final int MAX_INTERFACES = 4096;
    private static final int UNKNOWN_LINK_TYPE = -1;

    private final ByteInput input;
    private final PcapCounters counters;
    private final List<InterfaceDescription> interfaces = new ArrayList<>();
    private boolean bigEndian;
    private boolean ended;

    private PcapngRecordReader(ByteInput input, PcapCounters counters) {
        this.input = input;
        this.counters = counters;
    }

    /** Checks the first section header (without consuming it: {@link #next} reads it as any block). */
    static PcapngRecordReader open(ByteInput input, PcapCounters counters) throws IOException {
        if (!input.require(12)) {
            throw new PcapFormatException("pcapng section header truncated: " + input.available() + " bytes");
        }
        byte[] b = input.buffer();
        int p = input.position();
        if (ByteOrderReads.i32be(b, p) != SECTION_HEADER_BLOCK) {
            throw new PcapFormatException("not a pcapng file: first block is not a section header");
        }
        if (byteOrder(b, p) == null) {
            throw new PcapFormatException(String.format("pcapng section header with bad byte-order magic 0x%08x",
                    ByteOrderReads.i32be(b, p + 8)));
        }
        return new PcapngRecordReader(input, counters);
    }

    private static Boolean byteOrder(byte[] b, int blockStart) {
        if (ByteOrderReads.i32be(b, blockStart + 8) == BYTE_ORDER_MAGIC) {
            return Boolean.TRUE;
        }
        if (ByteOrderReads.i32le(b, blockStart + 8) == BYTE_ORDER_MAGIC) {
            return Boolean.FALSE;
        }
        return null;
    }

    @Override
    public boolean next(PacketRecord record) throws IOException {
        while (!ended) {
            if (!input.require(12)) {
                return endOfFile();
            }
            byte[] b = input.buffer();
            int p = input.position();
            int type = ByteOrderReads.i32(b, p, bigEndian);
            if (ByteOrderReads.i32be(b, p) == SECTION_HEADER_BLOCK) {
                Boolean order = byteOrder(b, p);
                if (order == null) {
                    return lostFraming();
                }
                bigEndian = order;
                type = SECTION_HEADER_BLOCK;
            }
            long length = ByteOrderReads.u32(b, p + 4, bigEndian);
            if (length < 12 || length % 4 != 0) {
                return lostFraming();
            }
            if (!isBuffered(type)) {
                counters.skippedBlocks++;
                if (!skipBlock(length)) {
                    return endOfFile();
                }
                continue;
            }
            if (length > input.capacity()) {
                counters.corruptRecords++;
                if (type == INTERFACE_DESCRIPTION_BLOCK) {
                    interfaces.add(new InterfaceDescription(UNKNOWN_LINK_TYPE, 0, 1_000_000L, 0));
                }
                if (!skipBlock(length)) {
                    return endOfFile();
                }
                continue;
            }
            int blockLength = (int) length;
            if (!input.require(blockLength)) {
                return endOfFile();
            }
            b = input.buffer();
            p = input.position();
            if (ByteOrderReads.u32(b, p + blockLength - 4, bigEndian) != length) {
                return lostFraming();
            }
            boolean produced = parseBlock(type, b, p, blockLength, record);
            input.consume(blockLength);
            if (produced) {
                return true;
            }
        }
        return false;
    }

    private static boolean isBuffered(int type) {
        return type == SECTION_HEADER_BLOCK || type == INTERFACE_DESCRIPTION_BLOCK || type == ENHANCED_PACKET_BLOCK
                || type == SIMPLE_PACKET_BLOCK || type == OBSOLETE_PACKET_BLOCK;
    }

    /** @return true when the block produced a packet record */
    private boolean parseBlock(int type, byte[] b, int p, int length, PacketRecord record) {
        int bodyEnd = p + length - 4;
        switch (type) {
            case SECTION_HEADER_BLOCK -> {
                interfaces.clear();
                return false;
            }
            case INTERFACE_DESCRIPTION_BLOCK -> {
                readInterface(b, p, bodyEnd);
                return false;
            }
            case ENHANCED_PACKET_BLOCK -> {
                return enhancedPacket(b, p, bodyEnd, record);
            }
            case SIMPLE_PACKET_BLOCK -> {
                return simplePacket(b, p, bodyEnd, record);
            }
            default -> {
                return obsoletePacket(b, p, bodyEnd, record);
            }
        }
    }

    private void readInterface(byte[] b, int p, int bodyEnd) {
        if (bodyEnd - p < 16) {
            counters.corruptRecords++;
            interfaces.add(new InterfaceDescription(UNKNOWN_LINK_TYPE, 0, 1_000_000L, 0));
            return;
        }
        int linkType = ByteOrderReads.u16(b, p + 8, bigEndian);
        long snapLength = ByteOrderReads.u32(b, p + 12, bigEndian);
        long unitsPerSecond = 1_000_000L;
        long offsetSeconds = 0;
        int o = p + 16;
        while (o + 4 <= bodyEnd) {
            int code = ByteOrderReads.u16(b, o, bigEndian);
            int optionLength = ByteOrderReads.u16(b, o + 2, bigEndian);
            int value = o + 4;
            if (code == OPTION_END || value + optionLength > bodyEnd) {
                break;
            }
            if (code == OPTION_IF_TSRESOL && optionLength >= 1) {
                unitsPerSecond = unitsPerSecond(b[value]);
            } else if (code == OPTION_IF_TSOFFSET && optionLength >= 8) {
                long hi = ByteOrderReads.u32(b, value, bigEndian);
                long lo = ByteOrderReads.u32(b, value + 4, bigEndian);
                offsetSeconds = bigEndian ? hi << 32 | lo : lo << 32 | hi;
            }
            o = value + ((optionLength + 3) & ~3);
        }
        if (interfaces.size() < MAX_INTERFACES) {
            interfaces.add(new InterfaceDescription(linkType, snapLength, unitsPerSecond, offsetSeconds));
        } else {
            counters.corruptRecords++;
        }
    }

    /** if_tsresol: high bit clear = 10^-n seconds, set = 2^-n seconds; 0 for resolutions past what a long holds. */
    static long unitsPerSecond(byte tsresol) {
        int exponent = tsresol & 0x7F;
        if ((tsresol & 0x80) != 0) {
            return exponent < 63 ? 1L << exponent : 0;
        }
        long units = 1;
        for (int i = 0; i < exponent; i++) {
            if (units > Long.MAX_VALUE / 10) {
                return 0;
            }
            units *= 10;
        }
        return units;
    }

    private boolean enhancedPacket(byte[] b, int p, int bodyEnd, PacketRecord record) {
        if (bodyEnd - p < 28) {
            counters.corruptRecords++;
            return false;
        }
        long interfaceId = ByteOrderReads.u32(b, p + 8, bigEndian);
        long timestamp = ByteOrderReads.u32(b, p + 12, bigEndian) << 32 | ByteOrderReads.u32(b, p + 16, bigEndian);
        long captured = ByteOrderReads.u32(b, p + 20, bigEndian);
        long original = ByteOrderReads.u32(b, p + 24, bigEndian);
        return packet(interfaceId, timestamp, b, p + 28, bodyEnd, captured, original, record);
    }

    private boolean obsoletePacket(byte[] b, int p, int bodyEnd, PacketRecord record) {
        if (bodyEnd - p < 28) {
            counters.corruptRecords++;
            return false;
        }
        int interfaceId = ByteOrderReads.u16(b, p + 8, bigEndian);
        long timestamp = ByteOrderReads.u32(b, p + 12, bigEndian) << 32 | ByteOrderReads.u32(b, p + 16, bigEndian);
        long captured = ByteOrderReads.u32(b, p + 20, bigEndian);
        long original = ByteOrderReads.u32(b, p + 24, bigEndian);
        return packet(interfaceId, timestamp, b, p + 28, bodyEnd, captured, original, record);
    }

    /** Simple packet blocks carry no timestamp and belong to interface 0; their time is reported as 0. */
    private boolean simplePacket(byte[] b, int p, int bodyEnd, PacketRecord record) {
        if (bodyEnd - p < 12 || interfaces.isEmpty()) {
            counters.corruptRecords++;
            return false;
        }
        long original = ByteOrderReads.u32(b, p + 8, bigEndian);
        InterfaceDescription iface = interfaces.get(0);
        long captured = Math.min(original, bodyEnd - (p + 12));
        if (iface.snapLength() > 0) {
            captured = Math.min(captured, iface.snapLength());
        }
        record.set(iface.linkType(), 0, b, p + 12, (int) captured, (int) Math.min(original, Integer.MAX_VALUE));
        return iface.linkType() != UNKNOWN_LINK_TYPE || countUnknownInterface();
    }

    private boolean packet(long interfaceId, long timestamp, byte[] b, int dataStart, int bodyEnd, long captured,
                           long original, PacketRecord record) {
        if (interfaceId >= interfaces.size() || captured > bodyEnd - dataStart) {
            counters.corruptRecords++;
            return false;
        }
        InterfaceDescription iface = interfaces.get((int) interfaceId);
        if (iface.linkType() == UNKNOWN_LINK_TYPE) {
            return countUnknownInterface();
        }
        int originalLength = (int) Math.min(Math.max(original, captured), Integer.MAX_VALUE);
        record.set(iface.linkType(), iface.toEpochNanos(timestamp), b, dataStart, (int) captured, originalLength);
        return true;
    }

    private boolean countUnknownInterface() {
        counters.corruptRecords++;
        return false;
    }

    private boolean skipBlock(long length) throws IOException {
        try {
            input.skip(length);
            return true;
        } catch (java.io.EOFException e) {
            return false;
        }
    }

    private boolean endOfFile() {
        if (input.available() > 0) {
            counters.truncatedFileTail = true;
        }
        ended = true;
        return false;
    }

    private boolean lostFraming() {
        counters.corruptRecords++;
        counters.stoppedAtCorruptRecord = true;
        ended = true;
        return false;
    }

    /** What an interface description block says about timestamps and link layer. */
    private record InterfaceDescription(int linkType, long snapLength, long unitsPerSecond, long offsetSeconds) {

        long toEpochNanos(long units) {
            long base = offsetSeconds * 1_000_000_000L;
            if (unitsPerSecond == 1_000_000_000L) {
                return base + units;
            }
            if (unitsPerSecond == 0) {
                return base;
            }
            long seconds = Long.divideUnsigned(units, unitsPerSecond);
            long remainder = Long.remainderUnsigned(units, unitsPerSecond);
            // remainder < unitsPerSecond; scale it without overflow through a 128-bit product
            long fractionNs = scale(remainder, unitsPerSecond);
            return base + seconds * 1_000_000_000L + fractionNs;
        }

        private static long scale(long remainder, long unitsPerSecond) {
            if (remainder <= Long.MAX_VALUE / 1_000_000_000L) {
                return remainder * 1_000_000_000L / unitsPerSecond;
            }
            return java.math.BigInteger.valueOf(remainder).multiply(java.math.BigInteger.valueOf(1_000_000_000L))
                    .divide(java.math.BigInteger.valueOf(unitsPerSecond)).longValueExact();
        }
    }
}

package io.spanscope.capture.pcap;

/**
 * Decodes a captured packet down to TCP: link layer (loopback/NULL, Ethernet with 802.1Q/802.1ad tags,
 * Linux cooked v1 and v2, raw IP), IPv4 (options; fragments counted and skipped) and IPv6 (extension
 * headers walked; fragments counted and skipped). Everything that is not a decodable TCP segment is
 * counted in exactly one counter and skipped.
 */
final class PacketDecoder {

    static final int LINKTYPE_NULL = 0;
    static final int LINKTYPE_ETHERNET = 1;
    static final int LINKTYPE_RAW = 101;
    static final int LINKTYPE_LOOP = 108;
    static final int LINKTYPE_LINUX_SLL = 113;
    static final int LINKTYPE_IPV4 = 228;
    static final int LINKTYPE_IPV6 = 229;
    static final int LINKTYPE_LINUX_SLL2 = 276;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88A8;
    private static final int MAX_VLAN_TAGS = 4;
    private static final int MAX_IPV6_EXTENSION_HEADERS = 8;
    private static final int PROTOCOL_TCP = 6;
    private static final int NOT_IP = -1;

    private final PcapCounters counters;

    PacketDecoder(PcapCounters counters) {
        this.counters = counters;
    }

    /** @return true when {@code segment} now holds a TCP segment of the packet */
    boolean decode(PacketRecord record, TcpSegment segment) {
        byte[] b = record.buffer;
        int start = record.offset;
        int end = start + record.capturedLength;
        int ipStart = networkLayerStart(record.linkType, b, start, end);
        if (ipStart == NOT_IP) {
            return false;
        }
        if (ipStart >= end) {
            counters.malformedPackets++;
            return false;
        }
        // the IP header may claim more than was captured; it may not claim more than the wire carried
        int wireEnd = start + record.originalLength;
        segment.timestampNs = record.timestampNs;
        int version = (b[ipStart] & 0xF0) >>> 4;
        if (version == 4) {
            return ipv4(b, ipStart, end, wireEnd, segment, record.isSnapTruncated());
        }
        if (version == 6) {
            return ipv6(b, ipStart, end, wireEnd, segment, record.isSnapTruncated());
        }
        counters.malformedPackets++;
        return false;
    }

    /** Offset of the IP header, or NOT_IP after counting why not. */
    private int networkLayerStart(int linkType, byte[] b, int start, int end) {
        int length = end - start;
        switch (linkType) {
            case LINKTYPE_NULL, LINKTYPE_LOOP -> {
                if (length < 4) {
                    return malformed();
                }
                // BSD address family in the capturing host's byte order: accept either order
                int family = ByteOrderReads.i32le(b, start);
                if (family > 0xFFFF) {
                    family = ByteOrderReads.i32be(b, start);
                }
                return switch (family) {
                    case 2, 10, 24, 28, 30 -> start + 4;
                    default -> nonIp();
                };
            }
            case LINKTYPE_ETHERNET -> {
                int p = start + 12;
                for (int tags = 0; tags <= MAX_VLAN_TAGS; tags++) {
                    if (p + 2 > end) {
                        return malformed();
                    }
                    int etherType = ByteOrderReads.u16be(b, p);
                    if (etherType == ETHERTYPE_VLAN || etherType == ETHERTYPE_QINQ) {
                        p += 4;
                        continue;
                    }
                    return isIp(etherType) ? p + 2 : nonIp();
                }
                return malformed();
            }
            case LINKTYPE_LINUX_SLL -> {
                if (length < 16) {
                    return malformed();
                }
                return isIp(ByteOrderReads.u16be(b, start + 14)) ? start + 16 : nonIp();
            }
            case LINKTYPE_LINUX_SLL2 -> {
                if (length < 20) {
                    return malformed();
                }
                return isIp(ByteOrderReads.u16be(b, start)) ? start + 20 : nonIp();
            }
            case LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6 -> {
                return start;
            }
            default -> {
                counters.unsupportedLinkTypePackets++;
                return NOT_IP;
            }
        }
    }

    private static boolean isIp(int etherType) {
        return etherType == ETHERTYPE_IPV4 || etherType == ETHERTYPE_IPV6;
    }

    private int malformed() {
        counters.malformedPackets++;
        return NOT_IP;
    }

    private int nonIp() {
        counters.nonTcpPackets++;
        return NOT_IP;
    }

    private boolean ipv4(byte[] b, int ip, int end, int wireEnd, TcpSegment segment, boolean snapTruncated) {
        if (ip + 20 > end) {
            return truncatedHeaders(snapTruncated);
        }
        int headerLength = (b[ip] & 0x0F) * 4;
        int totalLength = ByteOrderReads.u16be(b, ip + 2);
        if (headerLength < 20) {
            return malformedPacket();
        }
        // a zero total length is what captures of TCP segmentation offload show: the captured length rules
        int ipEnd = totalLength == 0 ? wireEnd : ip + totalLength;
        if (totalLength != 0 && totalLength < headerLength || ipEnd > wireEnd) {
            return malformedPacket();
        }
        int fragment = ByteOrderReads.u16be(b, ip + 6);
        if ((fragment & 0x3FFF) != 0) {
            counters.ipFragments++;
            return false;
        }
        if (ip + headerLength > end) {
            return truncatedHeaders(snapTruncated);
        }
        if (b[ip + 9] != PROTOCOL_TCP) {
            counters.nonTcpPackets++;
            return false;
        }
        segment.ipv6 = false;
        System.arraycopy(b, ip + 12, segment.sourceAddress, 0, 4);
        System.arraycopy(b, ip + 16, segment.destinationAddress, 0, 4);
        return tcp(b, ip + headerLength, end, ipEnd, segment, snapTruncated);
    }

    private boolean ipv6(byte[] b, int ip, int end, int wireEnd, TcpSegment segment, boolean snapTruncated) {
        if (ip + 40 > end) {
            return truncatedHeaders(snapTruncated);
        }
        int payloadLength = ByteOrderReads.u16be(b, ip + 4);
        // zero is a jumbogram or segmentation offload: the captured length rules
        int ipEnd = payloadLength == 0 ? wireEnd : ip + 40 + payloadLength;
        if (ipEnd > wireEnd) {
            return malformedPacket();
        }
        int next = b[ip + 6] & 0xFF;
        int p = ip + 40;
        for (int walked = 0; next != PROTOCOL_TCP; walked++) {
            switch (next) {
                case 0, 43, 60, 135, 139, 140 -> { // hop-by-hop, routing, destination, mobility, HIP, shim6
                    if (walked == MAX_IPV6_EXTENSION_HEADERS || p + 8 > end) {
                        return p + 8 > end ? truncatedHeaders(snapTruncated) : malformedPacket();
                    }
                    next = b[p] & 0xFF;
                    p += 8 + (b[p + 1] & 0xFF) * 8;
                }
                case 51 -> { // authentication header: length in 4-byte units, minus 2
                    if (walked == MAX_IPV6_EXTENSION_HEADERS || p + 8 > end) {
                        return p + 8 > end ? truncatedHeaders(snapTruncated) : malformedPacket();
                    }
                    next = b[p] & 0xFF;
                    p += ((b[p + 1] & 0xFF) + 2) * 4;
                }
                case 44 -> {
                    counters.ipFragments++;
                    return false;
                }
                default -> {
                    counters.nonTcpPackets++;
                    return false;
                }
            }
            if (p > ipEnd) {
                return malformedPacket();
            }
        }
        segment.ipv6 = true;
        System.arraycopy(b, ip + 8, segment.sourceAddress, 0, 16);
        System.arraycopy(b, ip + 24, segment.destinationAddress, 0, 16);
        return tcp(b, p, end, ipEnd, segment, snapTruncated);
    }

    private boolean tcp(byte[] b, int tcp, int end, int ipEnd, TcpSegment segment, boolean snapTruncated) {
        if (tcp + 20 > end) {
            return truncatedHeaders(snapTruncated);
        }
        int headerLength = ((b[tcp + 12] & 0xF0) >>> 4) * 4;
        if (headerLength < 20 || tcp + headerLength > ipEnd) {
            return malformedPacket();
        }
        if (tcp + headerLength > end) {
            return truncatedHeaders(snapTruncated);
        }
        segment.sourcePort = ByteOrderReads.u16be(b, tcp);
        segment.destinationPort = ByteOrderReads.u16be(b, tcp + 2);
        segment.sequence = ByteOrderReads.i32be(b, tcp + 4);
        segment.acknowledgment = ByteOrderReads.i32be(b, tcp + 8);
        segment.flags = b[tcp + 13] & 0xFF;
        int payloadStart = tcp + headerLength;
        segment.buffer = b;
        segment.payloadOffset = payloadStart;
        segment.payloadLength = ipEnd - payloadStart;
        segment.capturedPayloadLength = Math.max(0, Math.min(ipEnd, end) - payloadStart);
        if (segment.capturedPayloadLength < segment.payloadLength) {
            counters.truncatedPackets++;
        }
        counters.tcpSegments++;
        return true;
    }

    private boolean truncatedHeaders(boolean snapTruncated) {
        if (snapTruncated) {
            counters.truncatedPackets++;
        } else {
            counters.malformedPackets++;
        }
        return false;
    }

    private boolean malformedPacket() {
        counters.malformedPackets++;
        return false;
    }
}

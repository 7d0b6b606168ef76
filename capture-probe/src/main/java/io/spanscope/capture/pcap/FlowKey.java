package io.spanscope.capture.pcap;

/**
 * A TCP connection's 4-tuple, direction-free: endpoint A is the smaller of the two (address, port) pairs.
 * One mutable instance is reused for lookups; the table stores immutable-by-convention copies.
 */
final class FlowKey {

    private boolean ipv6;
    private long addressAHigh;
    private long addressALow;
    private int portA;
    private long addressBHigh;
    private long addressBLow;
    private int portB;

    /**
     * Sets this key from a segment's addresses and ports.
     *
     * @return true when the segment's source is endpoint A
     */
    boolean setFrom(TcpSegment segment) {
        long srcHigh = high(segment.sourceAddress, segment.ipv6);
        long srcLow = low(segment.sourceAddress, segment.ipv6);
        long dstHigh = high(segment.destinationAddress, segment.ipv6);
        long dstLow = low(segment.destinationAddress, segment.ipv6);
        boolean sourceIsA = compare(srcHigh, srcLow, segment.sourcePort, dstHigh, dstLow, segment.destinationPort) <= 0;
        ipv6 = segment.ipv6;
        if (sourceIsA) {
            set(srcHigh, srcLow, segment.sourcePort, dstHigh, dstLow, segment.destinationPort);
        } else {
            set(dstHigh, dstLow, segment.destinationPort, srcHigh, srcLow, segment.sourcePort);
        }
        return sourceIsA;
    }

    FlowKey copy() {
        FlowKey c = new FlowKey();
        c.ipv6 = ipv6;
        c.set(addressAHigh, addressALow, portA, addressBHigh, addressBLow, portB);
        return c;
    }

    private void set(long aHigh, long aLow, int aPort, long bHigh, long bLow, int bPort) {
        addressAHigh = aHigh;
        addressALow = aLow;
        portA = aPort;
        addressBHigh = bHigh;
        addressBLow = bLow;
        portB = bPort;
    }

    private static long high(byte[] address, boolean ipv6) {
        return ipv6 ? ByteOrderReads.i64be(address, 0) : 0;
    }

    private static long low(byte[] address, boolean ipv6) {
        return ipv6 ? ByteOrderReads.i64be(address, 8) : Integer.toUnsignedLong(ByteOrderReads.i32be(address, 0));
    }

    private static int compare(long h1, long l1, int p1, long h2, long l2, int p2) {
        int c = Long.compareUnsigned(h1, h2);
        if (c == 0) {
            c = Long.compareUnsigned(l1, l2);
        }
        return c != 0 ? c : Integer.compare(p1, p2);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowKey k && k.ipv6 == ipv6 && k.addressAHigh == addressAHigh
                && k.addressALow == addressALow && k.portA == portA && k.addressBHigh == addressBHigh
                && k.addressBLow == addressBLow && k.portB == portB;
    }

    @Override
    public int hashCode() {
        long h = addressAHigh * 31 + addressALow;
        h = h * 31 + addressBHigh;
        h = h * 31 + addressBLow;
        h = h * 31 + ((long) portA << 16 | portB);
        return Long.hashCode(h * 0x9E3779B97F4A7C15L);
    }
}

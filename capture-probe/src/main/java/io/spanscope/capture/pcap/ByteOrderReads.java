package io.spanscope.capture.pcap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Unsigned reads of fixed-width integers from byte arrays in either byte order (no bounds beyond the array's). */
final class ByteOrderReads {

    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private ByteOrderReads() {
    }

    static int u16be(byte[] b, int off) {
        return (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
    }

    static int u16le(byte[] b, int off) {
        return (b[off + 1] & 0xFF) << 8 | (b[off] & 0xFF);
    }

    static int u16(byte[] b, int off, boolean bigEndian) {
        return bigEndian ? u16be(b, off) : u16le(b, off);
    }

    /** 32-bit value as a Java int (callers widen with {@link Integer#toUnsignedLong} where it matters). */
    static int i32be(byte[] b, int off) {
        return (int) INT_BE.get(b, off);
    }

    static int i32le(byte[] b, int off) {
        return (int) INT_LE.get(b, off);
    }

    static int i32(byte[] b, int off, boolean bigEndian) {
        return bigEndian ? i32be(b, off) : i32le(b, off);
    }

    static long u32(byte[] b, int off, boolean bigEndian) {
        return Integer.toUnsignedLong(i32(b, off, bigEndian));
    }

    static long i64be(byte[] b, int off) {
        return (long) LONG_BE.get(b, off);
    }
}

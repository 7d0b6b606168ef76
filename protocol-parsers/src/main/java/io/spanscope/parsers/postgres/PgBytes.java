package io.spanscope.parsers.postgres;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Big-endian integers and NUL-terminated strings of the PostgreSQL wire format, read in place. */
final class PgBytes {

    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101_0101_0101_0101L;
    private static final long HIGHS = 0x8080_8080_8080_8080L;

    private PgBytes() {
    }

    static int int32(byte[] b, int i) {
        return (int) INTS.get(b, i);
    }

    static int int16(byte[] b, int i) {
        return Short.toUnsignedInt((short) SHORTS.get(b, i));
    }

    /**
     * Index of the NUL ending the string that starts at {@code from}, or -1 when none before {@code end}.
     * Eight bytes at a time (a word has a zero byte iff {@code (w - ONES) & ~w & HIGHS} is non-zero):
     * query texts are the longest strings the parser searches.
     */
    static int nul(byte[] b, int from, int end) {
        int i = from;
        for (; i + 8 <= end; i += 8) {
            long w = (long) LONGS.get(b, i);
            long zero = (w - ONES) & ~w & HIGHS;
            if (zero != 0) {
                return i + (Long.numberOfTrailingZeros(zero) >>> 3);
            }
        }
        for (; i < end; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    static String utf8(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.UTF_8);
    }

    /** True when {@code [from, to)} equals the ASCII {@code text}. */
    static boolean equalsAscii(byte[] b, int from, int to, String text) {
        if (to - from != text.length()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (b[from + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}

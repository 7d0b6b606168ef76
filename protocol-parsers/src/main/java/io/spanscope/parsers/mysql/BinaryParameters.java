package io.spanscope.parsers.mysql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decodes the parameter block of COM_STMT_EXECUTE (binary protocol): NULL bitmap, "new parameters
 * bound" flag, types (kept by the statement for executions that omit them), values by type. Values
 * become strings only when the configuration captures them; otherwise they are stepped over, which
 * still checks the framing.
 */
final class BinaryParameters {

    static final int MAX_VALUE_CHARS = 256;

    // field types of the binary protocol
    private static final int TINY = 1;
    private static final int SHORT = 2;
    private static final int LONG = 3;
    private static final int FLOAT = 4;
    private static final int DOUBLE = 5;
    private static final int NULL = 6;
    private static final int TIMESTAMP = 7;
    private static final int LONGLONG = 8;
    private static final int INT24 = 9;
    private static final int DATE = 10;
    private static final int TIME = 11;
    private static final int DATETIME = 12;
    private static final int YEAR = 13;
    private static final int UNSIGNED = 0x8000;

    private BinaryParameters() {
    }

    /**
     * @param count parameters the statement has (from its prepare response)
     * @param names when non-null, each type is followed by a name (MySQL query attributes); names go here
     * @param values when non-null, the decoded values are added (null parameters as null)
     * @return false when the block is malformed or the types are unknown
     */
    static boolean decode(PayloadCursor in, int count, PreparedStatements.Statement statement,
                          List<String> names, List<String> values) {
        if (count == 0) {
            return true;
        }
        int bitmapStart = in.position();
        in.skip((count + 7) / 8);
        int newBound = in.u8();
        if (in.overrun()) {
            return false;
        }
        int[] types = statement == null ? null : statement.parameterTypes;
        if (newBound == 1) {
            types = new int[count];
            for (int i = 0; i < count; i++) {
                types[i] = in.u16();
                if (names != null) {
                    names.add(in.lengthEncodedString(MAX_VALUE_CHARS));
                }
            }
            if (statement != null && names == null) {
                statement.parameterTypes = types;
            }
        }
        if (types == null || in.overrun()) {
            return false;
        }
        byte[] bitmap = in.buffer();
        long longData = statement == null ? 0 : statement.longDataParameters;
        for (int i = 0; i < count; i++) {
            boolean isNull = (bitmap[bitmapStart + (i >> 3)] & (1 << (i & 7))) != 0;
            boolean sentAsLongData = i < 64 && (longData & (1L << i)) != 0;
            if (isNull || sentAsLongData) {
                if (values != null) {
                    values.add(sentAsLongData ? "<long data>" : null);
                }
                continue;
            }
            String v = value(in, types[i], values != null);
            if (in.overrun()) {
                return false;
            }
            if (values != null) {
                values.add(v);
            }
        }
        return true;
    }

    private static String value(PayloadCursor in, int typeAndFlag, boolean render) {
        int type = typeAndFlag & 0xFF;
        boolean unsigned = (typeAndFlag & UNSIGNED) != 0;
        switch (type) {
            case NULL:
                return null;
            case TINY: {
                int v = in.u8();
                return render ? Integer.toString(unsigned ? v : (byte) v) : null;
            }
            case SHORT:
            case YEAR: {
                int v = in.u16();
                return render ? Integer.toString(unsigned || type == YEAR ? v : (short) v) : null;
            }
            case LONG:
            case INT24: {
                long v = in.u32();
                return render ? Long.toString(unsigned ? v : (int) v) : null;
            }
            case LONGLONG: {
                long v = in.u64();
                return render ? (unsigned ? Long.toUnsignedString(v) : Long.toString(v)) : null;
            }
            case FLOAT: {
                long v = in.u32();
                return render ? Float.toString(Float.intBitsToFloat((int) v)) : null;
            }
            case DOUBLE: {
                long v = in.u64();
                return render ? Double.toString(Double.longBitsToDouble(v)) : null;
            }
            case DATE:
            case DATETIME:
            case TIMESTAMP:
                return dateTime(in, render);
            case TIME:
                return time(in, render);
            default: {
                // strings, decimals, blobs, JSON, enum, set, bit, geometry: length-encoded bytes
                long n = in.lengthEncoded();
                if (n < 0 || n > in.remaining()) {
                    in.skip(Long.MAX_VALUE);
                    return null;
                }
                if (!render) {
                    in.skip(n);
                    return null;
                }
                if (type >= 0xF9 && type <= 0xFC || type == 0xFF) {
                    in.skip(n);
                    return "<" + n + " bytes>";
                }
                int start = in.position();
                in.skip(n);
                return new String(in.buffer(), start, (int) Math.min(n, MAX_VALUE_CHARS),
                        java.nio.charset.StandardCharsets.UTF_8);
            }
        }
    }

    private static String dateTime(PayloadCursor in, boolean render) {
        int n = in.u8();
        if (n != 0 && n != 4 && n != 7 && n != 11) {
            in.skip(Long.MAX_VALUE);
            return null;
        }
        int year = n >= 4 ? in.u16() : 0;
        int month = n >= 4 ? in.u8() : 0;
        int day = n >= 4 ? in.u8() : 0;
        int hour = n >= 7 ? in.u8() : 0;
        int minute = n >= 7 ? in.u8() : 0;
        int second = n >= 7 ? in.u8() : 0;
        long micros = n == 11 ? in.u32() : 0;
        if (!render) {
            return null;
        }
        String date = String.format(Locale.ROOT, "%04d-%02d-%02d", year, month, day);
        if (n <= 4) {
            return date;
        }
        String time = String.format(Locale.ROOT, "%s %02d:%02d:%02d", date, hour, minute, second);
        return micros == 0 ? time : time + String.format(Locale.ROOT, ".%06d", micros);
    }

    private static String time(PayloadCursor in, boolean render) {
        int n = in.u8();
        if (n != 0 && n != 8 && n != 12) {
            in.skip(Long.MAX_VALUE);
            return null;
        }
        boolean negative = n > 0 && in.u8() == 1;
        long days = n > 0 ? in.u32() : 0;
        int hour = n > 0 ? in.u8() : 0;
        int minute = n > 0 ? in.u8() : 0;
        int second = n > 0 ? in.u8() : 0;
        long micros = n == 12 ? in.u32() : 0;
        if (!render) {
            return null;
        }
        String t = String.format(Locale.ROOT, "%s%02d:%02d:%02d", negative ? "-" : "", days * 24 + hour, minute, second);
        return micros == 0 ? t : t + String.format(Locale.ROOT, ".%06d", micros);
    }

    static List<String> newList(int count) {
        return new ArrayList<>(Math.min(count, 64));
    }
}

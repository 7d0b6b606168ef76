package io.spanscope.pipeline.wire;

import static com.google.protobuf.WireFormat.WIRETYPE_FIXED64;
import static com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED;
import static com.google.protobuf.WireFormat.WIRETYPE_VARINT;

import com.google.protobuf.CodedInputStream;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributesBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads one {@code spanscope.v1.KeyValue} from the bytes into an {@link AttributesBuilder}, as the generated
 * parser and {@code Attributes.builder()} would: the last value field of the oneof decides the type, a
 * KeyValue without a value is skipped, unknown fields are skipped, packed and unpacked arrays both read.
 * Keys are interned {@link AttributeKey} instances found by their bytes, short string values are shared.
 * Not thread-safe.
 */
final class AttributeReader {

    private static final int MAX_KEYS = 4096;

    // spanscope.v1.KeyValue: field number << 3 | wire type
    private static final int KEY = 1 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int STRING_VALUE = 2 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int BOOL_VALUE = 3 << 3 | WIRETYPE_VARINT;
    private static final int LONG_VALUE = 4 << 3 | WIRETYPE_VARINT;
    private static final int DOUBLE_VALUE = 5 << 3 | WIRETYPE_FIXED64;
    private static final int STRING_ARRAY = 6 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int BOOL_ARRAY = 7 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int LONG_ARRAY = 8 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int DOUBLE_ARRAY = 9 << 3 | WIRETYPE_LENGTH_DELIMITED;
    // StringArray / BoolArray / LongArray / DoubleArray: field 1, packed or one element per tag
    private static final int VALUES_PACKED = 1 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int VALUES_VARINT = 1 << 3 | WIRETYPE_VARINT;
    private static final int VALUES_FIXED64 = 1 << 3 | WIRETYPE_FIXED64;

    private final SharedStrings strings;
    private final ByteSliceCache<InternedKey> keys = new ByteSliceCache<>(MAX_KEYS);

    // one KeyValue's fields; the arrays are not reset when the oneof changes case, as the generated builder
    // keeps merging into an array it has started
    private int keyStart;
    private int keyLength;
    private int valueTag;
    private String stringValue;
    private boolean boolValue;
    private long longValue;
    private double doubleValue;
    private final List<String> stringArray = new ArrayList<>();
    private final GrowableLongs boolArray = new GrowableLongs();
    private final GrowableLongs longArray = new GrowableLongs();
    private final GrowableLongs doubleArray = new GrowableLongs();

    AttributeReader(SharedStrings strings) {
        this.strings = strings;
    }

    /** Reads the length-delimited KeyValue at the stream's position ({@code base}: see {@link SharedStrings}). */
    void read(CodedInputStream in, byte[] bytes, int base, AttributesBuilder into) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        keyStart = 0;
        keyLength = 0;
        valueTag = 0;
        stringArray.clear();
        boolArray.clear();
        longArray.clear();
        doubleArray.clear();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case KEY -> {
                    keyLength = in.readRawVarint32();
                    keyStart = base + in.getTotalBytesRead();
                    in.skipRawBytes(keyLength);
                }
                case STRING_VALUE -> {
                    stringValue = strings.read(in, bytes, base);
                    valueTag = tag;
                }
                case BOOL_VALUE -> {
                    boolValue = in.readBool();
                    valueTag = tag;
                }
                case LONG_VALUE -> {
                    longValue = in.readSInt64();
                    valueTag = tag;
                }
                case DOUBLE_VALUE -> {
                    doubleValue = in.readDouble();
                    valueTag = tag;
                }
                case STRING_ARRAY -> {
                    readStrings(in, bytes, base);
                    valueTag = tag;
                }
                case BOOL_ARRAY -> {
                    readVarints(in, boolArray, false);
                    valueTag = tag;
                }
                case LONG_ARRAY -> {
                    readVarints(in, longArray, true);
                    valueTag = tag;
                }
                case DOUBLE_ARRAY -> {
                    readDoubles(in);
                    valueTag = tag;
                }
                default -> WireFields.skip(in, tag);
            }
        }
        in.popLimit(limit);
        InternedKey key = key(bytes); // also when there is no value: the key's UTF-8 is checked all the same
        if (valueTag != 0) {
            put(key, into);
        }
    }

    private InternedKey key(byte[] bytes) throws IOException {
        if (keyLength == 0) {
            return InternedKey.EMPTY;
        }
        InternedKey key = keys.get(bytes, keyStart, keyLength);
        if (key == null) {
            key = new InternedKey(SharedStrings.decode(bytes, keyStart, keyLength));
            keys.put(bytes, keyStart, keyLength, key);
        }
        return key;
    }

    private void put(InternedKey key, AttributesBuilder into) {
        switch (valueTag) {
            case STRING_VALUE -> into.put(key.string(), stringValue);
            case BOOL_VALUE -> into.put(key.bool(), boolValue);
            case LONG_VALUE -> into.put(key.long64(), longValue);
            case DOUBLE_VALUE -> into.put(key.double64(), doubleValue);
            case STRING_ARRAY -> into.put(key.strings(), List.copyOf(stringArray));
            case BOOL_ARRAY -> {
                Boolean[] values = new Boolean[boolArray.size];
                for (int i = 0; i < values.length; i++) {
                    values[i] = boolArray.values[i] != 0;
                }
                into.put(key.bools(), Arrays.asList(values));
            }
            case LONG_ARRAY -> {
                Long[] values = new Long[longArray.size];
                for (int i = 0; i < values.length; i++) {
                    values[i] = longArray.values[i];
                }
                into.put(key.longs(), Arrays.asList(values));
            }
            case DOUBLE_ARRAY -> {
                Double[] values = new Double[doubleArray.size];
                for (int i = 0; i < values.length; i++) {
                    values[i] = Double.longBitsToDouble(doubleArray.values[i]);
                }
                into.put(key.doubles(), Arrays.asList(values));
            }
            default -> throw new IllegalStateException("not a value tag: " + valueTag);
        }
    }

    private void readStrings(CodedInputStream in, byte[] bytes, int base) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == VALUES_PACKED) {
                stringArray.add(strings.read(in, bytes, base));
            } else {
                WireFields.skip(in, tag);
            }
        }
        in.popLimit(limit);
    }

    /** Bools and sint64s; {@code zigZag}: sint64. */
    private static void readVarints(CodedInputStream in, GrowableLongs into, boolean zigZag) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == VALUES_VARINT) {
                into.add(zigZag ? in.readSInt64() : in.readRawVarint64());
            } else if (tag == VALUES_PACKED) {
                int packed = in.pushLimit(in.readRawVarint32());
                while (in.getBytesUntilLimit() > 0) {
                    into.add(zigZag ? in.readSInt64() : in.readRawVarint64());
                }
                in.popLimit(packed);
            } else {
                WireFields.skip(in, tag);
            }
        }
        in.popLimit(limit);
    }

    private void readDoubles(CodedInputStream in) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == VALUES_FIXED64) {
                doubleArray.add(in.readRawLittleEndian64());
            } else if (tag == VALUES_PACKED) {
                int packed = in.pushLimit(in.readRawVarint32());
                while (in.getBytesUntilLimit() > 0) {
                    doubleArray.add(in.readRawLittleEndian64());
                }
                in.popLimit(packed);
            } else {
                WireFields.skip(in, tag);
            }
        }
        in.popLimit(limit);
    }

    /** An attribute name with its key of each type, made when first needed. */
    private static final class InternedKey {
        static final InternedKey EMPTY = new InternedKey("");

        private final String name;
        private AttributeKey<String> string;
        private AttributeKey<Boolean> bool;
        private AttributeKey<Long> long64;
        private AttributeKey<Double> double64;
        private AttributeKey<List<String>> strings;
        private AttributeKey<List<Boolean>> bools;
        private AttributeKey<List<Long>> longs;
        private AttributeKey<List<Double>> doubles;

        InternedKey(String name) {
            this.name = name;
        }

        AttributeKey<String> string() {
            return string != null ? string : (string = AttributeKey.stringKey(name));
        }

        AttributeKey<Boolean> bool() {
            return bool != null ? bool : (bool = AttributeKey.booleanKey(name));
        }

        AttributeKey<Long> long64() {
            return long64 != null ? long64 : (long64 = AttributeKey.longKey(name));
        }

        AttributeKey<Double> double64() {
            return double64 != null ? double64 : (double64 = AttributeKey.doubleKey(name));
        }

        AttributeKey<List<String>> strings() {
            return strings != null ? strings : (strings = AttributeKey.stringArrayKey(name));
        }

        AttributeKey<List<Boolean>> bools() {
            return bools != null ? bools : (bools = AttributeKey.booleanArrayKey(name));
        }

        AttributeKey<List<Long>> longs() {
            return longs != null ? longs : (longs = AttributeKey.longArrayKey(name));
        }

        AttributeKey<List<Double>> doubles() {
            return doubles != null ? doubles : (doubles = AttributeKey.doubleArrayKey(name));
        }
    }

    /** Array elements as they are read, reused from KeyValue to KeyValue. */
    private static final class GrowableLongs {
        long[] values = new long[8];
        int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        void clear() {
            size = 0;
        }
    }
}

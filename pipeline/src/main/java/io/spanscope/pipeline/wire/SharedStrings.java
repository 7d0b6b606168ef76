package io.spanscope.pipeline.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads proto3 {@code string} values straight from a message's bytes. Short ones (method names, routes,
 * agent ids, attribute values such as "GET") repeat from span to span and are decoded once and shared;
 * longer ones are decoded each time. Invalid UTF-8 is rejected as the generated parser rejects it. Not
 * thread-safe.
 */
final class SharedStrings {

    /** Strings longer than this are mostly unique (paths with ids, SQL, command lines). */
    static final int MAX_SHARED_BYTES = 48;
    private static final int MAX_ENTRIES = 4096;

    private final ByteSliceCache<String> strings = new ByteSliceCache<>(MAX_ENTRIES);

    /**
     * Reads a length-delimited string at the stream's position.
     *
     * @param bytes the array the stream reads
     * @param base  where in {@code bytes} the stream starts
     */
    String read(CodedInputStream in, byte[] bytes, int base) throws IOException {
        int length = in.readRawVarint32();
        int start = base + in.getTotalBytesRead();
        in.skipRawBytes(length); // bounds checked here, before the bytes are looked at
        if (length == 0) {
            return "";
        }
        if (length > MAX_SHARED_BYTES) {
            return decode(bytes, start, length);
        }
        String value = strings.get(bytes, start, length);
        if (value == null) {
            value = decode(bytes, start, length);
            strings.put(bytes, start, length, value);
        }
        return value;
    }

    static String decode(byte[] bytes, int start, int length) throws InvalidProtocolBufferException {
        if (!UnsafeByteOperations.unsafeWrap(bytes, start, length).isValidUtf8()) {
            throw new InvalidProtocolBufferException("Protocol message had invalid UTF-8.");
        }
        return new String(bytes, start, length, StandardCharsets.UTF_8);
    }
}

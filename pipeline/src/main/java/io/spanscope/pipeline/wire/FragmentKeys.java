package io.spanscope.pipeline.wire;

import io.spanscope.spans.link.Fragment;

/**
 * The record key of a fragment on {@code spanscope.fragments}: the span id it waits for
 * ({@link Fragment#rootParentSpanId()}), or its root's own id when it waits for nothing, as 8 bytes big-endian.
 * With the default partitioner a waiting fragment therefore lands in the partition where the span builder
 * announces that parent (topic {@code spanscope.known-spans}, keyed the same way).
 */
public final class FragmentKeys {

    public static final int KEY_BYTES = 8;

    private FragmentKeys() {
    }

    public static long keySpanId(Fragment fragment) {
        long parent = fragment.rootParentSpanId();
        return parent != 0 ? parent : fragment.root().spanId();
    }

    public static byte[] key(Fragment fragment) {
        return spanIdKey(keySpanId(fragment));
    }

    public static byte[] spanIdKey(long spanId) {
        byte[] key = new byte[KEY_BYTES];
        writeSpanIdKey(spanId, key);
        return key;
    }

    /** Writes the key of {@code spanId} into {@code key} (8 bytes), for callers that reuse one array. */
    public static void writeSpanIdKey(long spanId, byte[] key) {
        for (int i = KEY_BYTES - 1; i >= 0; i--) {
            key[i] = (byte) spanId;
            spanId >>>= 8;
        }
    }

    /** @throws IllegalArgumentException when the key is not 8 bytes */
    public static long spanIdOf(byte[] key) {
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a span-id key has 8 bytes, got "
                    + (key == null ? "none" : key.length));
        }
        long id = 0;
        for (byte b : key) {
            id = id << 8 | (b & 0xFF);
        }
        return id;
    }
}

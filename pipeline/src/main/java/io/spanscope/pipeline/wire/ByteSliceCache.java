package io.spanscope.pipeline.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Values found by the bytes they were decoded from, so that what repeats from fragment to fragment (service
 * identities, attribute keys, short strings, addresses) is decoded once and shared. A lookup allocates
 * nothing: it probes with a reusable view of the slice, and only an inserted entry copies its bytes.
 * Bounded: emptied when full (the working set of a span builder is far smaller). Not thread-safe.
 */
final class ByteSliceCache<V> {

    private final int maxEntries;
    private final Map<Slice, V> values = new HashMap<>();
    private final Slice probe = new Slice();

    ByteSliceCache(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /** @return the value stored for these bytes, null when none */
    V get(byte[] bytes, int offset, int length) {
        V value = values.get(probe.view(bytes, offset, length));
        probe.bytes = null; // the probe must not keep a record's bytes alive
        return value;
    }

    /** Stores {@code value} under a copy of these bytes. */
    void put(byte[] bytes, int offset, int length, V value) {
        if (values.size() >= maxEntries) {
            values.clear();
        }
        values.put(new Slice().view(Arrays.copyOfRange(bytes, offset, offset + length), 0, length), value);
    }

    int size() {
        return values.size();
    }

    /** A range of a byte array, equal to another with the same contents. */
    private static final class Slice {
        private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

        private byte[] bytes;
        private int offset;
        private int length;
        private int hash;

        Slice view(byte[] bytes, int offset, int length) {
            this.bytes = bytes;
            this.offset = offset;
            this.length = length;
            this.hash = hash(bytes, offset, length);
            return this;
        }

        /** Eight bytes a step: a service's bytes (a few hundred) are hashed for every fragment. */
        private static int hash(byte[] bytes, int offset, int length) {
            long h = length;
            int i = offset;
            for (int end = offset + length - Long.BYTES; i <= end; i += Long.BYTES) {
                h = (h ^ (long) LONGS.get(bytes, i)) * 0x9e3779b97f4a7c15L;
            }
            for (int end = offset + length; i < end; i++) {
                h = (h ^ bytes[i]) * 0x9e3779b97f4a7c15L;
            }
            return (int) (h ^ (h >>> 32));
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Slice other && other.hash == hash
                    && Arrays.equals(bytes, offset, offset + length, other.bytes, other.offset, other.offset + other.length);
        }
    }
}

package io.spanscope.parsers.record;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Immutable, insertion-ordered attributes of a record (OpenTelemetry attribute names). Values are
 * {@link String}, {@link Long}, {@link Boolean} or an unmodifiable {@code List<String>}. Backed by two
 * arrays rather than a hash map because records carry a handful of attributes and are built at a
 * high rate.
 */
public final class Attributes {

    private static final Attributes EMPTY = new Attributes(new Object[0], 0);
    private static final int NONE = -1;

    /**
     * Keys and values interleaved ({@code key0, value0, key1, value1 ...}); never changed once built, so
     * sets made by {@link #with} share it.
     */
    private final Object[] entries;
    private final int size;
    /** Array index of the one value {@link #with} replaced ({@link #NONE} if none), and that value. */
    private final int replacedAt;
    private final Object replacement;

    private Attributes(Object[] entries, int size) {
        this(entries, size, NONE, null);
    }

    private Attributes(Object[] entries, int size, int replacedAt, Object replacement) {
        this.entries = entries;
        this.size = size;
        this.replacedAt = replacedAt;
        this.replacement = replacement;
    }

    private Object valueAt(int valueIndex) {
        return valueIndex == replacedAt ? replacement : entries[valueIndex];
    }

    public static Attributes empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The value, or null when absent. */
    public Object get(String key) {
        for (int i = 0; i < 2 * size; i += 2) {
            if (key.equals(entries[i])) {
                return valueAt(i + 1);
            }
        }
        return null;
    }

    /** The value when it is a string, else null. */
    public String getString(String key) {
        Object v = get(key);
        return v instanceof String s ? s : null;
    }

    /** The value when it is a number, else null. */
    public Long getLong(String key) {
        Object v = get(key);
        return v instanceof Long l ? l : null;
    }

    public boolean containsKey(String key) {
        return get(key) != null;
    }

    /**
     * These attributes with {@code key} set to {@code value}: replaced in place when present, else
     * added last. For a parser whose records repeat all but one value (a connection's repeated calls
     * differ in their stream id): replacing that one value again and again shares the entries instead
     * of copying them, so a record costs one small object rather than a set of attributes, and the
     * same key instance as the previous replacement is not searched for.
     */
    public Attributes with(String key, Object value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (replacedAt != NONE && entries[replacedAt - 1] == key) {
            // The same key as last time (a constant): no search.
            return new Attributes(entries, size, replacedAt, value);
        }
        for (int i = 0; i < 2 * size; i += 2) {
            if (key.equals(entries[i])) {
                if (replacedAt == NONE || replacedAt == i + 1) {
                    return new Attributes(entries, size, i + 1, value);
                }
                Object[] copy = copyEntries(2 * size);
                copy[i + 1] = value;
                return new Attributes(copy, size);
            }
        }
        Object[] copy = copyEntries(2 * size + 2);
        copy[2 * size] = key;
        copy[2 * size + 1] = value;
        return new Attributes(copy, size + 1);
    }

    /** The entries with the replaced value in place, in a new array of {@code length}. */
    private Object[] copyEntries(int length) {
        Object[] copy = Arrays.copyOf(entries, length);
        if (replacedAt != NONE) {
            copy[replacedAt] = replacement;
        }
        return copy;
    }

    public void forEach(BiConsumer<String, Object> action) {
        for (int i = 0; i < 2 * size; i += 2) {
            action.accept((String) entries[i], valueAt(i + 1));
        }
    }

    /** An unmodifiable ordered map copy (allocates; for tests, printing and exporters). */
    public Map<String, Object> asMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        forEach(map::put);
        return Collections.unmodifiableMap(map);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Attributes other && asMap().equals(other.asMap());
    }

    @Override
    public int hashCode() {
        return asMap().hashCode();
    }

    @Override
    public String toString() {
        return asMap().toString();
    }

    /**
     * Collects attributes; a repeated key replaces the earlier value in its original position. May be
     * reused after {@link #build()} by calling {@link #clear()}.
     *
     * <p>Parsers keep one builder per connection and put a dozen or so distinct keys per record at a
     * high rate, so: a key whose hash code (cached in each String; keys are mostly constants) maps to
     * a bit not yet set in a 64-bit summary of the keys present is new without a search, and the
     * search compares hash codes before contents; and {@link #build()} hands its array over to the
     * attributes instead of copying it, the next change starting a fresh one (copy on write). A fresh
     * array is young, so filling it costs none of the collector's card marking that stores into a
     * long-lived array cost (with G1 a fenced barrier per store).
     */
    public static final class Builder {
        private static final int MIN_CAPACITY = 4;

        private Object[] entries;
        private int[] hashes = new int[16];
        /** Bit {@code hash & 63} of every key present: a clear bit proves a key absent. */
        private long present;
        private int size;
        /** The array belongs to attributes already built: copy before any change. */
        private boolean shared;
        /** Entries the next fresh array is sized for: as many as the last set built had. */
        private int expected = 12;

        private Builder() {
        }

        /** Null values are ignored, so optional attributes can be put unconditionally. */
        public Builder put(String key, Object value) {
            Objects.requireNonNull(key, "key");
            if (value == null) {
                return this;
            }
            int hash = key.hashCode();
            long bit = 1L << hash;
            int[] h = hashes;
            if ((present & bit) != 0) {
                for (int i = 0; i < size; i++) {
                    if (h[i] == hash && key.equals(entries[2 * i])) {
                        writable(size)[2 * i + 1] = value;
                        return this;
                    }
                }
            }
            present |= bit;
            Object[] e = writable(size + 1);
            if (size == h.length) {
                hashes = h = Arrays.copyOf(h, size * 2);
            }
            h[size] = hash;
            e[2 * size] = key;
            e[2 * size + 1] = value;
            size++;
            return this;
        }

        public Builder put(String key, long value) {
            return put(key, Long.valueOf(value));
        }

        /** The array to change, owned by this builder and holding at least {@code count} entries. */
        private Object[] writable(int count) {
            Object[] e = entries;
            if (e == null) {
                e = new Object[2 * Math.max(expected, Math.max(count, MIN_CAPACITY))];
            } else if (shared || 2 * count > e.length) {
                e = Arrays.copyOf(e, 2 * Math.max(count, shared ? size : 2 * size));
            } else {
                return e;
            }
            shared = false;
            entries = e;
            return e;
        }

        public Builder clear() {
            if (shared) {
                entries = null;
                shared = false;
            } else if (entries != null) {
                Arrays.fill(entries, 0, 2 * size, null);
            }
            size = 0;
            present = 0;
            return this;
        }

        public Attributes build() {
            if (size == 0) {
                return EMPTY;
            }
            expected = size;
            shared = true;
            return new Attributes(entries, size);
        }
    }
}

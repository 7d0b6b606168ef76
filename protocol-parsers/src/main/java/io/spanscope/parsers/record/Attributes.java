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

    private static final Attributes EMPTY = new Attributes(new String[0], new Object[0], 0);

    private final String[] keys;
    private final Object[] values;
    private final int size;

    private Attributes(String[] keys, Object[] values, int size) {
        this.keys = keys;
        this.values = values;
        this.size = size;
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
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(key)) {
                return values[i];
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

    public void forEach(BiConsumer<String, Object> action) {
        for (int i = 0; i < size; i++) {
            action.accept(keys[i], values[i]);
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
     * reused after {@link #build()} (which copies) by calling {@link #clear()}.
     */
    public static final class Builder {
        private String[] keys = new String[12];
        private Object[] values = new Object[12];
        private int size;

        private Builder() {
        }

        /** Null values are ignored, so optional attributes can be put unconditionally. */
        public Builder put(String key, Object value) {
            Objects.requireNonNull(key, "key");
            if (value == null) {
                return this;
            }
            for (int i = 0; i < size; i++) {
                if (keys[i].equals(key)) {
                    values[i] = value;
                    return this;
                }
            }
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            keys[size] = key;
            values[size] = value;
            size++;
            return this;
        }

        public Builder put(String key, long value) {
            return put(key, Long.valueOf(value));
        }

        public Builder clear() {
            java.util.Arrays.fill(values, 0, size, null);
            size = 0;
            return this;
        }

        public Attributes build() {
            if (size == 0) {
                return EMPTY;
            }
            return new Attributes(Arrays.copyOf(keys, size), Arrays.copyOf(values, size), size);
        }
    }
}

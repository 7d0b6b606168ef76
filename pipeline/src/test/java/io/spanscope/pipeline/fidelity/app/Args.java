package io.spanscope.pipeline.fidelity.app;

import java.util.HashMap;
import java.util.Map;

/** {@code --key value} pairs of the fidelity app's command lines. */
final class Args {

    private final Map<String, String> values;

    private Args(Map<String, String> values) {
        this.values = values;
    }

    static Args parse(String[] args) {
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("expected --key value pairs");
        }
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            values.put(args[i], args[i + 1]);
        }
        return new Args(values);
    }

    String require(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return value;
    }

    String optional(String key) {
        return values.get(key);
    }

    int intValue(String key, int orElse) {
        String value = values.get(key);
        return value == null ? orElse : Integer.parseInt(value);
    }
}

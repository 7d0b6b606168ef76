package io.spanscope.pipeline.http;

import io.spanscope.spans.metrics.PrometheusWriter;

import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes stats records' numbers as Prometheus samples named {@code PREFIX_component_name}, so every counter
 * the agent keeps is visible without a hand-written mapping for each. Several records of one type (one per
 * parser worker) are summed; nested stats records recurse, lists become one sample per index, maps one
 * per key.
 */
public final class StatsMetrics {

    private StatsMetrics() {
    }

    public static void write(PrometheusWriter writer, String prefix, Record stats) {
        write(writer, prefix, List.of(stats));
    }

    /** Sums the records component by component; they must all be of one type. */
    public static void write(PrometheusWriter writer, String prefix, List<? extends Record> stats) {
        if (stats.isEmpty()) {
            return;
        }
        for (RecordComponent c : stats.get(0).getClass().getRecordComponents()) {
            String name = prefix + "_" + snake(c.getName());
            Object first = value(c, stats.get(0));
            if (first instanceof Number) {
                double sum = 0;
                for (Record r : stats) {
                    sum += ((Number) value(c, r)).doubleValue();
                }
                writer.family(name, "untyped", c.getName() + " of " + stats.get(0).getClass().getSimpleName());
                writer.sample(name, sum);
            } else if (first instanceof Record) {
                write(writer, name, stats.stream().map(r -> (Record) value(c, r)).toList());
            } else if (first instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Number) {
                writer.family(name, "untyped", c.getName() + " per index");
                for (int i = 0; i < list.size(); i++) {
                    writer.sample(name, ((Number) list.get(i)).doubleValue(), "index", Integer.toString(i));
                }
            } else if (first instanceof Map<?, ?> map && !map.isEmpty()) {
                Map<String, Double> sums = new LinkedHashMap<>();
                for (Record r : stats) {
                    ((Map<?, ?>) value(c, r)).forEach((k, v) -> {
                        if (v instanceof Number n) {
                            sums.merge(String.valueOf(k).toLowerCase(Locale.ROOT), n.doubleValue(), Double::sum);
                        }
                    });
                }
                writer.family(name, "untyped", c.getName() + " per key");
                sums.forEach((k, v) -> writer.sample(name, v, "key", k));
            }
        }
    }

    private static Object value(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("unreadable stats field " + c.getName(), e);
        }
    }

    static String snake(String camel) {
        StringBuilder sb = new StringBuilder(camel.length() + 8);
        for (int i = 0; i < camel.length(); i++) {
            char ch = camel.charAt(i);
            if (Character.isUpperCase(ch)) {
                sb.append('_').append(Character.toLowerCase(ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }
}

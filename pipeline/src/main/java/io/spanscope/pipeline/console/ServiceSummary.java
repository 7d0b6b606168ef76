package io.spanscope.pipeline.console;

import io.spanscope.spans.metrics.Histogram;
import io.spanscope.spans.metrics.SpanMetrics;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The live terminal view of `spanscope run`: per service and operation, over the last interval, the
 * request rate, errors and p50 / p99 latency (interpolated inside histogram buckets, so approximate).
 */
public final class ServiceSummary {

    private final SpanMetrics metrics;
    private final PrintStream out;
    private final Map<SpanMetrics.Series, long[]> previous = new HashMap<>();
    private long previousNs = System.nanoTime();

    public ServiceSummary(SpanMetrics metrics, PrintStream out) {
        this.metrics = metrics;
        this.out = out;
    }

    /** Prints the rows that had traffic since the last call; nothing when idle. */
    public synchronized void print() {
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - previousNs) / 1e9);
        previousNs = now;
        Map<String, Row> rows = new TreeMap<>();
        List<Runnable> updates = new ArrayList<>();
        metrics.forEach((series, histogram) -> {
            long[] before = previous.getOrDefault(series, new long[histogram.bounds().length + 1]);
            long[] current = histogram.cumulativeCounts();
            long calls = current[current.length - 1] - before[before.length - 1];
            updates.add(() -> previous.put(series, current));
            if (calls == 0) {
                return;
            }
            String key = series.service() + "\u0000" + series.kind() + "\u0000" + series.spanName();
            Row row = rows.computeIfAbsent(key, k -> new Row(series));
            row.calls += calls;
            if (series.error()) {
                row.errors += calls;
            }
            row.add(histogram.bounds(), current, before);
        });
        updates.forEach(Runnable::run);
        if (rows.isEmpty()) {
            return;
        }
        out.printf(Locale.ROOT, "%-24s %-6s %-36s %9s %7s %9s %9s%n", "SERVICE", "KIND", "OPERATION", "REQ/S",
                "ERR%", "P50 ms", "P99 ms");
        for (Row row : rows.values()) {
            out.printf(Locale.ROOT, "%-24s %-6s %-36s %9.1f %6.1f%% %9.2f %9.2f%n", clip(row.series.service(), 24),
                    row.series.kind().name().toLowerCase(Locale.ROOT), clip(row.series.spanName(), 36), row.calls / seconds,
                    100.0 * row.errors / row.calls, row.quantile(0.5), row.quantile(0.99));
        }
        out.println();
        out.flush();
    }

    private static String clip(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }

    /** One operation, errors and successes merged: their histogram deltas are summed bucket by bucket. */
    private static final class Row {
        final SpanMetrics.Series series;
        long calls;
        long errors;
        double[] bounds;
        long[] delta;

        Row(SpanMetrics.Series series) {
            this.series = series;
        }

        void add(double[] histogramBounds, long[] now, long[] before) {
            if (delta == null) {
                bounds = histogramBounds;
                delta = new long[now.length];
            }
            for (int i = 0; i < now.length; i++) {
                delta[i] += now[i] - before[i];
            }
        }

        double quantile(double q) {
            return Histogram.quantile(bounds, delta, q);
        }
    }
}

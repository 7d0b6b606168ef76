package io.spanscope.spans.metrics;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * A cumulative histogram with fixed upper bounds, in the unit of its bounds. Written by one thread, read
 * by scrapes from another; counts are atomic so a scrape never sees a torn value.
 */
public final class Histogram {

    private final double[] bounds;
    private final AtomicLongArray counts;
    private final DoubleAdder sum = new DoubleAdder();

    public Histogram(double[] bounds) {
        this.bounds = bounds.clone();
        this.counts = new AtomicLongArray(bounds.length + 1);
    }

    public void record(double value) {
        int i = 0;
        while (i < bounds.length && value > bounds[i]) {
            i++;
        }
        counts.incrementAndGet(i);
        sum.add(value);
    }

    public double[] bounds() {
        return bounds.clone();
    }

    /** Observations at or below each bound, cumulative; the last element is the total count. */
    public long[] cumulativeCounts() {
        long[] out = new long[bounds.length + 1];
        long running = 0;
        for (int i = 0; i < out.length; i++) {
            running += counts.get(i);
            out[i] = running;
        }
        return out;
    }

    public long count() {
        long n = 0;
        for (int i = 0; i < counts.length(); i++) {
            n += counts.get(i);
        }
        return n;
    }

    public double sum() {
        return sum.sum();
    }

    /**
     * The q-quantile estimated by linear interpolation inside its bucket (what Prometheus'
     * histogram_quantile does), or NaN when empty.
     */
    public double quantile(double q) {
        return quantile(bounds, cumulativeCounts(), q);
    }

    /** The q-quantile of what was recorded after {@code earlier} (a previous {@link #cumulativeCounts()}). */
    public double quantileSince(long[] earlier, double q) {
        long[] now = cumulativeCounts();
        for (int i = 0; i < now.length; i++) {
            now[i] -= earlier[i];
        }
        return quantile(bounds, now, q);
    }

    /** The q-quantile of cumulative bucket counts over {@code bounds} (one more count than bounds), or NaN. */
    public static double quantile(double[] bounds, long[] cumulative, double q) {
        long total = cumulative[cumulative.length - 1];
        if (total == 0) {
            return Double.NaN;
        }
        double rank = q * total;
        for (int i = 0; i < cumulative.length; i++) {
            if (cumulative[i] >= rank) {
                if (i == bounds.length) {
                    return bounds[bounds.length - 1];
                }
                double lower = i == 0 ? 0 : bounds[i - 1];
                long below = i == 0 ? 0 : cumulative[i - 1];
                long inBucket = cumulative[i] - below;
                return inBucket == 0 ? bounds[i] : lower + (bounds[i] - lower) * (rank - below) / inBucket;
            }
        }
        return bounds[bounds.length - 1];
    }
}

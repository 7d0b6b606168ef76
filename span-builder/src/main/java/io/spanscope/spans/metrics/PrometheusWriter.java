package io.spanscope.spans.metrics;

import java.util.Locale;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): one HELP and TYPE per family, label
 * values escaped.
 */
public final class PrometheusWriter {

    private final StringBuilder out = new StringBuilder(16 * 1024);

    public PrometheusWriter family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                .append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** A sample; {@code labels} alternate names and values. */
    public PrometheusWriter sample(String name, double value, String... labels) {
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"");
                escape(labels[i + 1]);
                out.append('"');
            }
            out.append('}');
        }
        out.append(' ').append(format(value)).append('\n');
        return this;
    }

    /** The _bucket, _sum and _count samples of a histogram (the family must be declared by the caller). */
    public PrometheusWriter histogram(String name, Histogram histogram, String... labels) {
        double[] bounds = histogram.bounds();
        long[] cumulative = histogram.cumulativeCounts();
        String[] withLe = new String[labels.length + 2];
        System.arraycopy(labels, 0, withLe, 0, labels.length);
        withLe[labels.length] = "le";
        for (int i = 0; i < bounds.length; i++) {
            withLe[labels.length + 1] = format(bounds[i]);
            sample(name + "_bucket", cumulative[i], withLe);
        }
        withLe[labels.length + 1] = "+Inf";
        sample(name + "_bucket", cumulative[bounds.length], withLe);
        sample(name + "_sum", histogram.sum(), labels);
        sample(name + "_count", cumulative[bounds.length], labels);
        return this;
    }

    private void escape(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    private static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%s", v);
    }

    @Override
    public String toString() {
        return out.toString();
    }
}

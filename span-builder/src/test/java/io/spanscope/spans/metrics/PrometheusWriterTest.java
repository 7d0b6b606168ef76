package io.spanscope.spans.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusWriterTest {

    @Test
    void familiesHaveHelpAndTypeWithEscapedHelp() {
        String text = new PrometheusWriter().family("spanscope_x_total", "counter", "a \\ b\nc").toString();
        assertThat(text).isEqualTo("# HELP spanscope_x_total a \\\\ b\\nc\n# TYPE spanscope_x_total counter\n");
    }

    @Test
    void samplesEscapeLabelValuesAndPrintIntegersWithoutFraction() {
        String text = new PrometheusWriter()
                .sample("m", 42, "path", "/a\"b\\c\nd", "x", "")
                .sample("m", 0.25)
                .sample("m", 1e20)
                .toString();
        assertThat(text).isEqualTo("m{path=\"/a\\\"b\\\\c\\nd\",x=\"\"} 42\nm 0.25\nm 1.0E20\n");
    }

    @Test
    void histogramsHaveCumulativeLeBucketsInfSumAndCount() {
        Histogram h = new Histogram(new double[] {0.5, 1, 2.5});
        h.record(0.2);
        h.record(0.7);
        h.record(2);
        h.record(9);
        String text = new PrometheusWriter().histogram("d_seconds", h, "service_name", "api").toString();
        assertThat(text).isEqualTo(String.join("\n",
                "d_seconds_bucket{service_name=\"api\",le=\"0.5\"} 1",
                "d_seconds_bucket{service_name=\"api\",le=\"1\"} 2",
                "d_seconds_bucket{service_name=\"api\",le=\"2.5\"} 3",
                "d_seconds_bucket{service_name=\"api\",le=\"+Inf\"} 4",
                "d_seconds_sum{service_name=\"api\"} 11.9",
                "d_seconds_count{service_name=\"api\"} 4", ""));
    }

    @Test
    void histogramWithoutLabelsStillLabelsItsBuckets() {
        Histogram h = new Histogram(new double[] {1});
        h.record(1);
        assertThat(new PrometheusWriter().histogram("h", h).toString()).isEqualTo(
                "h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n");
    }
}

package io.spanscope.spans.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class HistogramTest {

    private final Histogram histogram = new Histogram(new double[] {1, 2, 4, 8});

    @Test
    void countsAreCumulativeAndBoundsInclusive() {
        histogram.record(0.5);
        histogram.record(2); // on a bound: counted at or below it
        histogram.record(3);
        histogram.record(100);
        assertThat(histogram.cumulativeCounts()).containsExactly(1, 2, 3, 3, 4);
        assertThat(histogram.count()).isEqualTo(4);
        assertThat(histogram.sum()).isCloseTo(105.5, within(1e-9));
    }

    @Test
    void quantilesInterpolateInsideTheirBucketLikePrometheus() {
        histogram.record(0.5);
        histogram.record(1.5);
        histogram.record(3);
        histogram.record(3);
        assertThat(histogram.quantile(0.5)).isCloseTo(2.0, within(1e-9));
        assertThat(histogram.quantile(0.75)).isCloseTo(3.0, within(1e-9));
        assertThat(histogram.quantile(1.0)).isCloseTo(4.0, within(1e-9));
        assertThat(histogram.quantile(0.25)).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void quantilesInTheOverflowBucketAreTheLastBound() {
        histogram.record(50);
        histogram.record(60);
        assertThat(histogram.quantile(0.99)).isEqualTo(8);
    }

    @Test
    void emptyHistogramHasNoQuantile() {
        assertThat(histogram.quantile(0.5)).isNaN();
    }

    @Test
    void quantileSinceLooksOnlyAtWhatCameAfterTheSnapshot() {
        for (int i = 0; i < 100; i++) {
            histogram.record(0.5);
        }
        long[] before = histogram.cumulativeCounts();
        for (int i = 0; i < 10; i++) {
            histogram.record(6);
        }
        assertThat(histogram.quantile(0.5)).isLessThanOrEqualTo(1);
        assertThat(histogram.quantileSince(before, 0.5)).isCloseTo(6.0, within(1e-9));
        assertThat(histogram.quantileSince(histogram.cumulativeCounts(), 0.5)).isNaN();
    }

    @Test
    void boundsAreCopiedNotShared() {
        double[] bounds = {1, 2};
        Histogram h = new Histogram(bounds);
        bounds[0] = 100;
        h.record(1.5);
        assertThat(h.bounds()).containsExactly(1, 2);
        assertThat(h.cumulativeCounts()).containsExactly(0, 1, 1);
    }
}

package io.spanscope.spans.link;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerConnectionGaugeTest {

    private final ServerConnectionGauge gauge = new ServerConnectionGauge();

    @Test
    void aProcessWithOneServerConnectionAtATimeNeverOverlaps() {
        gauge.opened(7, 100);
        gauge.closed(7, 200);
        gauge.opened(7, 300);
        assertThat(gauge.mayOverlap(7, 0, 1_000)).isFalse();
        assertThat(gauge.mayOverlap(8, 0, 1_000)).as("unknown process").isFalse();
    }

    @Test
    void aPeriodWithSeveralOpenConnectionsOverlapsEveryIntervalThatTouchesIt() {
        gauge.opened(7, 100);
        gauge.opened(7, 200);
        assertThat(gauge.mayOverlap(7, 50, 150)).as("before the second connection").isFalse();
        assertThat(gauge.mayOverlap(7, 150, 250)).isTrue();
        gauge.closed(7, 400);
        assertThat(gauge.mayOverlap(7, 300, 350)).as("inside the ended period").isTrue();
        assertThat(gauge.mayOverlap(7, 500, 600)).as("after it ended").isFalse();
        gauge.forget(7);
        assertThat(gauge.mayOverlap(7, 300, 350)).isFalse();
    }

    @Test
    void closesWithoutOpensNeverGoNegative() {
        gauge.opened(7, 100);
        gauge.closed(7, 150);
        gauge.closed(7, 160);
        gauge.opened(7, 200);
        assertThat(gauge.mayOverlap(7, 0, 1_000)).isFalse();
    }
}

package io.spanscope.capture.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DecodePathWarmupTest {

    @Test
    void everySyntheticRecordIsDecodedNoneDroppedOrMalformed() {
        DecodePathWarmup.Result result = DecodePathWarmup.run(50_000, Duration.ofMinutes(1));

        assertThat(result.recordsDispatched()).isEqualTo(50_000);
        // decoded = data events + opens + established + closes: a malformed or dropped record is missing here
        assertThat(result.recordsDecoded()).isEqualTo(50_000);
    }

    @Test
    void stopsAtItsTimeLimitAfterOneBatchAndStillDecodesWhatItQueued() {
        DecodePathWarmup.Result result = DecodePathWarmup.run(Integer.MAX_VALUE, Duration.ZERO);

        assertThat(result.recordsDispatched()).isPositive().isLessThan(Integer.MAX_VALUE);
        assertThat(result.recordsDecoded()).isEqualTo(result.recordsDispatched());
    }
}

package io.spanscope.parsers.postgres;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class PgBytesTest {

    @Test
    void wordAtATimeNulSearchAgreesWithAPlainScan() {
        Random random = new Random(5);
        for (int run = 0; run < 50_000; run++) {
            byte[] b = new byte[random.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (random.nextInt(6) == 0 ? 0 : 1 + random.nextInt(255));
            }
            int from = b.length == 0 ? 0 : random.nextInt(b.length);
            int end = from + (b.length == from ? 0 : random.nextInt(b.length - from + 1));
            int expected = -1;
            for (int i = from; i < end; i++) {
                if (b[i] == 0) {
                    expected = i;
                    break;
                }
            }
            assertThat(PgBytes.nul(b, from, end)).isEqualTo(expected);
        }
    }
}

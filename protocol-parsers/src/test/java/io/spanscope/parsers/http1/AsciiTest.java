package io.spanscope.parsers.http1;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class AsciiTest {

    @Test
    void wordAtATimeLineFeedSearchAgreesWithAByteLoopAtEveryAlignment() {
        Random random = new Random(99);
        byte[] alphabet = {'\n', '\r', 'a', 0, (byte) 0x8A, (byte) 0x0B, (byte) 0xFF, 0x09, 0x0A - 0x01};
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[random.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                b[i] = random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
            }
            int from = b.length == 0 ? 0 : random.nextInt(b.length);
            int to = from + (b.length == from ? 0 : random.nextInt(b.length - from + 1));
            assertThat(Ascii.indexOfLf(b, from, to)).as("round %d", round).isEqualTo(Ascii.indexOf(b, Ascii.LF, from, to));
        }
    }

    @Test
    void repeatedHeaderValuesReuseTheSameString() {
        byte[] b = "Host: api:8080".getBytes();
        String first = Ascii.sameOrNew(b, 6, b.length, null);
        assertThat(first).isEqualTo("api:8080");
        assertThat(Ascii.sameOrNew(b, 6, b.length, first)).isSameAs(first);
        assertThat(Ascii.sameOrNew(b, 6, b.length - 1, first)).isEqualTo("api:808");
    }
}

package io.spanscope.parsers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestCausesTest {

    private final RequestCauses causes = new RequestCauses();

    @Test
    void findsTheChunkHoldingARequestsFirstByte() {
        causes.note(1_000, 100, 7, 555);
        causes.note(1_100, 50, 9, 777);

        assertThat(causes.find(1_000)).isNotNegative();
        assertThat(causes.generationAt(causes.find(1_099))).isEqualTo(7);
        assertThat(causes.sequenceAt(causes.find(1_120))).isEqualTo(777);
        assertThat(causes.find(1_150)).isEqualTo(-1);
        assertThat(causes.find(999)).isEqualTo(-1);
        assertThat(causes.find(-1)).isEqualTo(-1);
    }

    @Test
    void oneRequestWrittenInSeveralSyscallsIsOneRange() {
        causes.note(10, 5, 3, 42);
        causes.note(15, 5, 3, 42);
        causes.note(20, 5, 3, 42);
        assertThat(causes.find(24)).isEqualTo(causes.find(10));
    }

    @Test
    void sequenceNumbersWrapAroundModuloTwoToTheThirtyTwo() {
        causes.note(0xFFFF_FFF0, 0x20, 5, 0xFFFF_FFFE);
        assertThat(causes.find(0x0000_0008L)).isNotNegative();
        assertThat(causes.find(0xFFFF_FFF5L)).isNotNegative();
        assertThat(causes.sequenceAt(causes.find(0x8L))).isEqualTo(0xFFFF_FFFEL);
        assertThat(causes.find(0x10L)).isEqualTo(-1);
    }

    @Test
    void keepsOnlyTheNewestChunks() {
        for (int i = 0; i < RequestCauses.CAPACITY + 4; i++) {
            causes.note(i * 100, 10, i + 1, i);
        }
        assertThat(causes.find(0)).isEqualTo(-1);
        assertThat(causes.find(300)).isEqualTo(-1);
        assertThat(causes.generationAt(causes.find((RequestCauses.CAPACITY + 3) * 100))).isEqualTo(RequestCauses.CAPACITY + 4);
        assertThat(causes.generationAt(causes.find(400))).isEqualTo(5);
    }
}

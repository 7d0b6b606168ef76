package io.spanscope.spans.ids;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SpanIdsTest {

    @Test
    void clientAndServerIdsOfOneExchangeDifferAndAreStable() {
        long q = 0x1234_5678L;
        long r = 0xFEDC_BA98L;
        assertThat(SpanIds.client(q, r)).isNotEqualTo(SpanIds.server(q, r));
        assertThat(SpanIds.client(q, r)).isEqualTo(SpanIds.client(q, r));
        assertThat(SpanIds.server(q, r)).isEqualTo(SpanIds.server(q, r));
        // swapping the two sequence numbers is another exchange
        assertThat(SpanIds.client(r, q)).isNotEqualTo(SpanIds.client(q, r));
    }

    @Test
    void onlyTheLow32BitsOfSequenceNumbersCount() {
        // sequence numbers are unsigned 32-bit values; a sign-extended int must name the same exchange
        int q = 0xF000_0001;
        assertThat(SpanIds.client(q, 7)).isEqualTo(SpanIds.client(Integer.toUnsignedLong(q), 7));
    }

    @Test
    void distinctExchangesNeverShareAnIdInALargeRandomSample() {
        SplittableRandom random = new SplittableRandom(20_241_125);
        int n = 400_000;
        Set<Long> keys = new HashSet<>(n * 2);
        Set<Long> clientIds = new HashSet<>(n * 2);
        Set<Long> serverIds = new HashSet<>(n * 2);
        for (int i = 0; i < n; i++) {
            long q = random.nextLong() & 0xFFFF_FFFFL;
            // half of the sample differs only in the response number: neighbours must not collide either
            long r = i % 2 == 0 ? random.nextLong() & 0xFFFF_FFFFL : (q + 1) & 0xFFFF_FFFFL;
            if (!keys.add(q << 32 | r)) {
                continue;
            }
            long client = SpanIds.client(q, r);
            long server = SpanIds.server(q, r);
            assertThat(client).isNotZero();
            assertThat(server).isNotZero();
            assertThat(clientIds.add(client)).as("client id of (%d, %d) is new", q, r).isTrue();
            assertThat(serverIds.add(server)).as("server id of (%d, %d) is new", q, r).isTrue();
        }
        assertThat(clientIds).hasSameSizeAs(keys);
        assertThat(serverIds).hasSameSizeAs(keys);
    }

    @Test
    void consecutiveSequenceNumbersOfOneConnectionGetUnrelatedIds() {
        Set<Long> ids = new HashSet<>();
        for (long q = 1000; q < 1000 + 50_000; q++) {
            ids.add(SpanIds.client(q, q + 17));
        }
        assertThat(ids).hasSize(50_000);
    }

    @Test
    void idsAreNeverZeroEvenForZeroInputs() {
        assertThat(SpanIds.client(0, 0)).isNotZero();
        assertThat(SpanIds.server(0, 0)).isNotZero();
        assertThat(SpanIds.local(0, 0)).isNotZero();
        assertThat(SpanIds.traceLow(0)).isNotZero();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            long v = random.nextLong();
            assertThat(SpanIds.local(v, i)).isNotZero();
            assertThat(SpanIds.traceLow(v)).isNotZero();
        }
    }

    @Test
    void localIdsDependOnConnectionAndStartTime() {
        long id = SpanIds.local(42, 1_000);
        assertThat(SpanIds.local(42, 1_000)).isEqualTo(id);
        assertThat(SpanIds.local(43, 1_000)).isNotEqualTo(id);
        assertThat(SpanIds.local(42, 1_001)).isNotEqualTo(id);
    }

    @Test
    void traceIdHalvesAreDeterministicPerRootAndDifferAcrossRoots() {
        long root = SpanIds.server(11, 22);
        long other = SpanIds.server(11, 23);
        assertThat(SpanIds.traceHigh(root)).isEqualTo(SpanIds.traceHigh(root));
        assertThat(SpanIds.traceLow(root)).isEqualTo(SpanIds.traceLow(root));
        assertThat(SpanIds.traceHigh(root)).isNotEqualTo(SpanIds.traceLow(root));
        assertThat(new long[] {SpanIds.traceHigh(other), SpanIds.traceLow(other)})
                .isNotEqualTo(new long[] {SpanIds.traceHigh(root), SpanIds.traceLow(root)});
    }

    @Test
    void mixIsABijectionOnASample() {
        Set<Long> out = new HashSet<>();
        for (long z = -50_000; z < 50_000; z++) {
            out.add(SpanIds.mix(z));
        }
        assertThat(out).hasSize(100_000);
    }

    @Test
    void linkableNeedsBothSequenceNumbers() {
        assertThat(SpanIds.linkable(0, 0)).isTrue();
        assertThat(SpanIds.linkable(0xFFFF_FFFFL, 1)).isTrue();
        assertThat(SpanIds.linkable(-1, 5)).isFalse();
        assertThat(SpanIds.linkable(5, -1)).isFalse();
        assertThat(SpanIds.linkable(-1, -1)).isFalse();
    }
}

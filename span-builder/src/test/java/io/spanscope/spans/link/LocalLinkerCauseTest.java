package io.spanscope.spans.link;

import static io.spanscope.spans.TestExchanges.clientRecord;
import static io.spanscope.spans.TestExchanges.server;
import static io.spanscope.spans.TestExchanges.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.spans.ExchangeSpan;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The cause rule: a call whose capture names the server exchange its thread worked for (connection generation
 * 1 and the request sequence in {@code TestExchanges}) is that exchange's child, unless other evidence says
 * otherwise. Time is driven explicitly.
 */
class LocalLinkerCauseTest {

    private static final int FRONTEND = 100;
    private static final int POOL_THREAD = 40;
    private static final long GRACE = 100;
    private static final long HOLD = 1_000;

    private final List<Fragment> published = new ArrayList<>();
    private final LocalLinker linker = new LocalLinker(new LinkerConfig(GRACE, HOLD, 10_000),
            tgid -> Set.of(FRONTEND).contains(tgid), published::add);

    private static ExchangeSpan call(int tid, long startNs, long endNs, long q, long causeSequence) {
        return span(clientRecord(FRONTEND, tid, startNs, endNs, q, q + 1).cause(1, causeSequence), "frontend");
    }

    private long parentOf(ExchangeSpan call) {
        return PublishedParents.parentOf(published, call);
    }

    @Test
    void causeChoosesAmongConcurrentRequestsThatTimeAloneCannotTellApart() {
        ExchangeSpan first = server(FRONTEND, 11, 1_000, 9_000, 1_000_001, 2);
        ExchangeSpan second = server(FRONTEND, 12, 1_500, 9_500, 3_000_001, 4);
        ExchangeSpan forSecond = call(POOL_THREAD, 2_000, 3_000, 50, 3_000_001);
        ExchangeSpan forFirst = call(POOL_THREAD + 1, 2_100, 3_100, 60, 1_000_001);
        ExchangeSpan withoutCause = span(clientRecord(FRONTEND, POOL_THREAD + 2, 2_200, 3_200, 70, 71), "frontend");

        linker.offer(forSecond, 3_000);
        linker.offer(forFirst, 3_100);
        linker.offer(withoutCause, 3_200);
        linker.offer(first, 9_000);
        linker.offer(second, 9_500);
        linker.tick(9_500 + GRACE);
        linker.tick(9_500 + GRACE + HOLD);

        assertThat(parentOf(forSecond)).isEqualTo(second.spanId());
        assertThat(parentOf(forFirst)).isEqualTo(first.spanId());
        assertThat(parentOf(withoutCause)).isZero();
        assertThat(linker.stats().linkedByCause()).isEqualTo(2);
        assertThat(linker.stats().linkedSoleCandidate() + linker.stats().linkedSameThread()).isZero();
    }

    @Test
    void causeNamingAnExchangeThatDoesNotContainTheCallLeavesItUnlinked() {
        ExchangeSpan request = server(FRONTEND, 11, 1_000, 5_000, 1_000_001, 2);
        ExchangeSpan afterIt = call(POOL_THREAD, 5_500, 6_000, 50, 1_000_001);
        linker.offer(request, 5_000);
        linker.tick(5_000 + GRACE);
        linker.offer(afterIt, 6_000);
        linker.tick(6_000 + HOLD);

        assertThat(parentOf(afterIt)).isZero();
        assertThat(linker.stats().linkedByCause() + linker.stats().linkedLate()).isZero();
    }

    @Test
    void causeAndThreadEvidenceThatDisagreeLeaveTheCallUnlinked() {
        ExchangeSpan first = server(FRONTEND, 11, 1_000, 9_000, 1_000_001, 2);
        ExchangeSpan second = server(FRONTEND, 12, 1_500, 9_500, 3_000_001, 4);
        // made on the thread serving the second request, but the capture says it was for the first
        ExchangeSpan contradicted = call(12, 2_000, 3_000, 50, 1_000_001);
        linker.offer(first, 9_000);
        linker.offer(second, 9_500);
        linker.offer(contradicted, 9_600);
        linker.tick(9_600 + GRACE + HOLD);

        assertThat(parentOf(contradicted)).isZero();
        assertThat(linker.stats().ambiguous()).isEqualTo(1);
        assertThat(linker.stats().linkedByCause() + linker.stats().linkedSameThread()).isZero();
    }

    @Test
    void callWaitsForTheExchangeItsCauseNamesAndIsNeverGivenToAnother() {
        ExchangeSpan onlyRequest = server(FRONTEND, 11, 1_000, 9_000, 1_000_001, 2);
        // the only exchange in flight contains it, but the capture names one that never arrives
        ExchangeSpan namesAnother = call(POOL_THREAD, 2_000, 3_000, 50, 7_000_001);
        ExchangeSpan arrivesFirst = call(POOL_THREAD + 1, 2_500, 3_500, 60, 1_000_001);
        linker.offer(namesAnother, 3_000);
        linker.offer(arrivesFirst, 3_500);
        assertThat(published).isEmpty();
        linker.offer(onlyRequest, 9_000);
        linker.tick(9_000 + GRACE);
        linker.tick(9_000 + GRACE + HOLD);

        assertThat(parentOf(arrivesFirst)).isEqualTo(onlyRequest.spanId());
        assertThat(parentOf(namesAnother)).isZero();
        assertThat(linker.stats().linkedByCause()).isEqualTo(1);
        assertThat(linker.stats().unlinked()).isEqualTo(1);
    }

    @Test
    void callWhoseNamedExchangeWasAlreadyPublishedGetsItAsLocalParent() {
        ExchangeSpan request = server(FRONTEND, 11, 1_000, 5_000, 1_000_001, 2);
        ExchangeSpan late = call(POOL_THREAD, 2_000, 3_000, 50, 1_000_001);
        linker.offer(request, 5_000);
        linker.tick(5_000 + GRACE);
        linker.offer(late, 5_000 + GRACE + 1);

        assertThat(parentOf(late)).isEqualTo(request.spanId());
        assertThat(linker.stats().linkedLate()).isEqualTo(1);
    }

    @Test
    void anInheritedCauseOnAThreadWithTwoCallsInFlightIsSetAside() {
        // the selector shape: woken by the first request's thread, it writes the second request's call first
        // (stamped with the first request) and then the first's, both in flight at once
        ExchangeSpan first = server(FRONTEND, 11, 1_000, 9_000, 1_000_001, 2);
        ExchangeSpan second = server(FRONTEND, 12, 1_500, 9_500, 3_000_001, 4);
        ExchangeSpan secondsCallStampedFirst = call(POOL_THREAD, 2_000, 3_000, 50, 1_000_001);
        ExchangeSpan firstsCall = span(clientRecord(FRONTEND, POOL_THREAD, 2_010, 3_100, 60, 61), "frontend");

        linker.offer(secondsCallStampedFirst, 3_000);
        linker.offer(firstsCall, 3_100);
        linker.offer(first, 9_000);
        linker.offer(second, 9_500);
        linker.tick(9_500 + GRACE);
        linker.tick(9_500 + GRACE + HOLD);

        assertThat(parentOf(secondsCallStampedFirst)).isZero();
        assertThat(parentOf(firstsCall)).isZero();
        assertThat(linker.stats().linkedByCause()).isZero();
        assertThat(linker.stats().causesRefused()).isEqualTo(1);
    }

    @Test
    void aWorkerMakingCallsOneAfterTheOtherKeepsItsInheritedCauses() {
        ExchangeSpan first = server(FRONTEND, 11, 1_000, 9_000, 1_000_001, 2);
        ExchangeSpan second = server(FRONTEND, 12, 1_500, 9_500, 3_000_001, 4);
        ExchangeSpan one = call(POOL_THREAD, 2_000, 3_000, 50, 1_000_001);
        ExchangeSpan two = call(POOL_THREAD, 3_500, 4_000, 60, 1_000_001);

        linker.offer(one, 3_000);
        linker.offer(two, 4_000);
        linker.offer(first, 9_000);
        linker.offer(second, 9_500);
        linker.tick(9_500 + GRACE);
        linker.tick(9_500 + GRACE + HOLD);

        assertThat(parentOf(one)).isEqualTo(first.spanId());
        assertThat(parentOf(two)).isEqualTo(first.spanId());
        assertThat(linker.stats().causesRefused()).isZero();
    }

    @Test
    void aDirectCauseOnAThreadWithTwoCallsInFlightStillCounts() {
        // an event loop fanning out for the one request it read: its own thread, so the cause is direct
        ExchangeSpan request = server(FRONTEND, POOL_THREAD, 1_000, 9_000, 1_000_001, 2);
        ExchangeSpan other = server(FRONTEND, 12, 1_500, 9_500, 3_000_001, 4);
        ExchangeSpan one = call(POOL_THREAD, 2_000, 3_000, 50, 1_000_001);
        ExchangeSpan two = call(POOL_THREAD, 2_010, 3_100, 60, 1_000_001);

        linker.offer(one, 3_000);
        linker.offer(two, 3_100);
        linker.offer(request, 9_000);
        linker.offer(other, 9_500);
        linker.tick(9_500 + GRACE);
        linker.tick(9_500 + GRACE + HOLD);

        assertThat(parentOf(one)).isEqualTo(request.spanId());
        assertThat(parentOf(two)).isEqualTo(request.spanId());
        assertThat(linker.stats().causesRefused()).isZero();
    }
}

package io.spanscope.spans.link;

import static io.spanscope.spans.TestExchanges.clientRecord;
import static io.spanscope.spans.TestExchanges.serverRecord;
import static io.spanscope.spans.TestExchanges.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.spans.ExchangeSpan;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The completion rule: a server exchange whose response the capture says was written after a call's completion
 * woke its thread (the call's connection generation 1 and response sequence in {@code TestExchanges}) is that
 * call's parent, unless other evidence says otherwise. Time is driven explicitly.
 */
class LocalLinkerCompletionTest {

    private static final int FRONTEND = 100;
    private static final int POOL_THREAD = 40;
    private static final long GRACE = 100;
    private static final long HOLD = 1_000;

    private final List<Fragment> published = new ArrayList<>();
    private final LocalLinker linker = new LocalLinker(new LinkerConfig(GRACE, HOLD, 10_000),
            tgid -> Set.of(FRONTEND).contains(tgid), published::add);

    /** A request served by {@code tid} whose response names the call answered at {@code callResponseSequence}. */
    private static ExchangeSpan request(int tid, long startNs, long endNs, long q, long callResponseSequence) {
        return span(serverRecord(FRONTEND, tid, startNs, endNs, q, q + 1).completedCall(1, callResponseSequence),
                "frontend");
    }

    private static ExchangeSpan call(int tid, long startNs, long endNs, long q, long r) {
        return span(clientRecord(FRONTEND, tid, startNs, endNs, q, r), "frontend");
    }

    private long parentOf(ExchangeSpan call) {
        return PublishedParents.parentOf(published, call);
    }

    @Test
    void completionChoosesAmongConcurrentRequestsThatTimeAloneCannotTellApart() {
        ExchangeSpan forSecond = call(POOL_THREAD, 2_000, 3_000, 50, 51);
        ExchangeSpan forFirst = call(POOL_THREAD + 1, 2_100, 3_100, 60, 61);
        // ends before the claimed calls: a call that ended after one of them inside its claimant, claimed by
        // nobody, would cast doubt on the claim (see the sendAsync case below)
        ExchangeSpan unclaimed = call(POOL_THREAD + 2, 1_900, 2_900, 70, 71);
        ExchangeSpan first = request(11, 1_000, 9_000, 1_000_001, 61);
        ExchangeSpan second = request(12, 1_500, 9_500, 3_000_001, 51);

        linker.offer(unclaimed, 2_900);
        linker.offer(forSecond, 3_000);
        linker.offer(forFirst, 3_100);
        linker.offer(first, 9_000);
        linker.offer(second, 9_500);
        linker.tick(9_500 + GRACE);
        linker.tick(9_500 + GRACE + HOLD);

        assertThat(parentOf(forSecond)).isEqualTo(second.spanId());
        assertThat(parentOf(forFirst)).isEqualTo(first.spanId());
        assertThat(parentOf(unclaimed)).isZero();
        assertThat(linker.stats().linkedByCompletion()).isEqualTo(2);
        assertThat(linker.stats().linkedByCause() + linker.stats().linkedSoleCandidate()
                + linker.stats().linkedSameThread()).isZero();
    }

    @Test
    void aCallClaimedByTwoRequestsIsLeftUnlinked() {
        ExchangeSpan claimedTwice = call(POOL_THREAD, 2_000, 3_000, 50, 51);
        linker.offer(claimedTwice, 3_000);
        linker.offer(request(11, 1_000, 9_000, 1_000_001, 51), 9_000);
        linker.offer(request(12, 1_500, 9_500, 3_000_001, 51), 9_500);
        linker.tick(9_500 + GRACE + HOLD);

        assertThat(parentOf(claimedTwice)).isZero();
        assertThat(linker.stats().linkedByCompletion()).isZero();
        assertThat(linker.stats().ambiguous()).isEqualTo(1);
    }

    @Test
    void aClaimedCallOutsideTheClaimingRequestIsLeftUnlinked() {
        ExchangeSpan before = call(POOL_THREAD, 500, 900, 50, 51);
        linker.offer(before, 900);
        linker.offer(request(11, 1_000, 9_000, 1_000_001, 51), 9_000);
        linker.tick(9_000 + GRACE + HOLD);

        assertThat(parentOf(before)).isZero();
        assertThat(linker.stats().linkedByCompletion() + linker.stats().linkedLate()).isZero();
    }

    @Test
    void completionAndCauseThatDisagreeLeaveTheCallUnlinked() {
        ExchangeSpan first = request(11, 1_000, 9_000, 1_000_001, 51);
        ExchangeSpan second = request(12, 1_500, 9_500, 3_000_001, 99);
        // the forward hand-off named the second request, the completion went to the first
        ExchangeSpan contradicted = span(clientRecord(FRONTEND, POOL_THREAD, 2_000, 3_000, 50, 51)
                .cause(1, 3_000_001), "frontend");
        linker.offer(first, 9_000);
        linker.offer(second, 9_500);
        linker.offer(contradicted, 9_600);
        linker.tick(9_600 + GRACE + HOLD);

        assertThat(parentOf(contradicted)).isZero();
        assertThat(linker.stats().ambiguous()).isEqualTo(1);
        assertThat(linker.stats().linkedByCause() + linker.stats().linkedByCompletion()).isZero();
    }

    @Test
    void completionAndThreadEvidenceThatDisagreeLeaveTheCallUnlinked() {
        ExchangeSpan first = request(11, 1_000, 9_000, 1_000_001, 51);
        ExchangeSpan second = request(12, 1_500, 9_500, 3_000_001, 99);
        // made on the thread serving the second request, but the completion went to the first
        ExchangeSpan contradicted = call(12, 2_000, 3_000, 50, 51);
        linker.offer(first, 9_000);
        linker.offer(second, 9_500);
        linker.offer(contradicted, 9_600);
        linker.tick(9_600 + GRACE + HOLD);

        assertThat(parentOf(contradicted)).isZero();
        assertThat(linker.stats().linkedSameThread() + linker.stats().linkedByCompletion()).isZero();
    }

    @Test
    void completionAndCauseThatAgreeLinkTheCall() {
        ExchangeSpan request = request(11, 1_000, 9_000, 1_000_001, 51);
        ExchangeSpan both = span(clientRecord(FRONTEND, POOL_THREAD, 2_000, 3_000, 50, 51).cause(1, 1_000_001),
                "frontend");
        linker.offer(both, 3_000);
        linker.offer(request, 9_000);
        linker.tick(9_000 + GRACE + HOLD);

        assertThat(parentOf(both)).isEqualTo(request.spanId());
        assertThat(linker.stats().linkedByCause()).isEqualTo(1);
    }

    @Test
    void aCallArrivingAfterItsClaimingRequestWasPublishedStillGetsIt() {
        ExchangeSpan request = request(11, 1_000, 5_000, 1_000_001, 51);
        ExchangeSpan late = call(POOL_THREAD, 2_000, 3_000, 50, 51);
        linker.offer(request, 5_000);
        linker.tick(5_000 + GRACE);
        linker.offer(late, 5_000 + GRACE + 1);

        assertThat(parentOf(late)).isEqualTo(request.spanId());
        assertThat(linker.stats().linkedLate()).isEqualTo(1);
    }

    @Test
    void aCompletionNamingACallThatEndedBeforeTheHandlersOwnCallIsRefused() {
        // the handler wrote its own call and waited for it; a client worker holding another request's response
        // woke it, so its response names that other call, which ended before the handler's own
        ExchangeSpan crossed = call(POOL_THREAD, 2_000, 3_000, 50, 51);
        ExchangeSpan handlersOwn = call(11, 2_100, 4_000, 60, 61);
        ExchangeSpan request = request(11, 1_000, 9_000, 1_000_001, 51);
        ExchangeSpan other = request(12, 1_500, 9_500, 3_000_001, 71);

        linker.offer(crossed, 3_000);
        linker.offer(handlersOwn, 4_000);
        linker.offer(request, 9_000);
        linker.offer(other, 9_500);
        linker.tick(9_500 + GRACE);
        linker.tick(9_500 + GRACE + HOLD);

        assertThat(parentOf(crossed)).isZero();
        assertThat(parentOf(handlersOwn)).isEqualTo(request.spanId());
        assertThat(linker.stats().linkedByCompletion()).isZero();
    }

    @Test
    void aCompletionNamingTheLastCallTheHandlerWaitedForStands() {
        // the handler called once itself, then handed a second call to a pool and waited for it
        ExchangeSpan handlersOwn = call(11, 1_100, 2_000, 60, 61);
        ExchangeSpan pooled = call(POOL_THREAD, 2_100, 3_000, 50, 51);
        ExchangeSpan request = request(11, 1_000, 9_000, 1_000_001, 51);
        ExchangeSpan other = request(12, 1_500, 9_500, 3_000_001, 71);

        linker.offer(handlersOwn, 2_000);
        linker.offer(pooled, 3_000);
        linker.offer(request, 9_000);
        linker.offer(other, 9_500);
        linker.tick(9_500 + GRACE);
        linker.tick(9_500 + GRACE + HOLD);

        assertThat(parentOf(pooled)).isEqualTo(request.spanId());
        assertThat(linker.stats().linkedByCompletion()).isEqualTo(1);
    }

    @Test
    void aCompletionOfAnotherRequestsCallHeldByARelayIsRefusedWhenTheClaimantsOwnCallEndedLater() {
        // HttpClient.sendAsync: the first request's call ends early and its handler, finding the reply ready,
        // never sleeps, so it claims nothing; a continuation thread still holding that completion wakes the
        // second handler when the second call ends, under the first call's name
        ExchangeSpan firstsCall = call(POOL_THREAD, 1_100, 2_000, 50, 51);
        ExchangeSpan secondsCall = call(POOL_THREAD + 1, 1_600, 4_000, 60, 61);
        ExchangeSpan first = span(serverRecord(FRONTEND, 11, 1_000, 2_500, 1_000_001, 1_000_002), "frontend");
        ExchangeSpan second = request(12, 1_050, 4_500, 3_000_001, 51);

        linker.offer(firstsCall, 2_000);
        linker.offer(first, 2_500);
        linker.offer(secondsCall, 4_000);
        linker.offer(second, 4_500);
        linker.tick(4_500 + GRACE);
        linker.tick(4_500 + GRACE + HOLD);

        assertThat(parentOf(firstsCall)).as("never the second request").isNotEqualTo(second.spanId());
        assertThat(parentOf(secondsCall)).isNotEqualTo(first.spanId());
        assertThat(linker.stats().linkedByCompletion()).isZero();
    }

    @Test
    void aLaterCallInsideTheClaimantThatAnotherRequestClaimsDoesNotOverruleTheClaim() {
        ExchangeSpan claimed = call(POOL_THREAD, 1_100, 2_000, 50, 51);
        ExchangeSpan othersCall = call(POOL_THREAD + 1, 1_200, 2_200, 60, 61);
        ExchangeSpan claimant = request(11, 1_000, 2_500, 1_000_001, 51);
        ExchangeSpan other = request(12, 1_150, 2_600, 3_000_001, 61);

        linker.offer(claimed, 2_000);
        linker.offer(othersCall, 2_200);
        linker.offer(claimant, 2_500);
        linker.offer(other, 2_600);
        linker.tick(2_600 + GRACE);
        linker.tick(2_600 + GRACE + HOLD);

        assertThat(parentOf(claimed)).isEqualTo(claimant.spanId());
        assertThat(parentOf(othersCall)).isEqualTo(other.spanId());
        assertThat(linker.stats().linkedByCompletion()).isEqualTo(2);
    }

    /**
     * The claimant claims the call ending at 2 000; the alternative, 1 000..6 000, contains it and claims nothing
     * (its own completion went ambiguous), its own call (unclaimed) ending at 4 000.
     */
    private void offerClaimWithUnclaimingAlternative(ExchangeSpan claimed, ExchangeSpan claimant,
                                                     ExchangeSpan alternative) {
        ExchangeSpan alternativesCall = call(POOL_THREAD + 1, 1_200, 4_000, 60, 61);
        linker.offer(claimed, 2_000);
        linker.offer(claimant, 2_500);
        linker.offer(alternativesCall, 4_000);
        linker.offer(alternative, 6_000);
        linker.tick(6_000 + GRACE);
        linker.tick(6_000 + GRACE + HOLD);
    }

    private static ExchangeSpan unclaimingRequest(int tid, long startNs, long endNs, long q, long clientWokenNs) {
        return span(serverRecord(FRONTEND, tid, startNs, endNs, q, q + 1).clientWokenNs(clientWokenNs), "frontend");
    }

    @Test
    void anUnclaimingRequestWhoseHandlerWaitedForItsOwnLaterCallDoesNotOverruleTheClaim() {
        // HttpClient.send at 4 in flight: the other handler slept until a client thread woke it at 4 100, after its
        // own call (ending at 4 000, claimed by nobody) ended: it was not finding the claimed call's reply ready
        ExchangeSpan claimed = call(POOL_THREAD, 1_100, 2_000, 50, 51);
        ExchangeSpan claimant = request(11, 1_050, 2_500, 1_000_001, 51);
        ExchangeSpan alternative = unclaimingRequest(12, 1_000, 6_000, 3_000_001, 4_100);

        offerClaimWithUnclaimingAlternative(claimed, claimant, alternative);

        assertThat(parentOf(claimed)).isEqualTo(claimant.spanId());
        assertThat(linker.stats().linkedByCompletion()).isEqualTo(1);
        assertThat(linker.stats().unclaimingAlternativesSetAside()).isEqualTo(1);
    }

    /**
     * Not shown waiting for a later call of its own, the other handler may have found the claimed call's reply
     * ready and never slept: the call may be its own. Not woken by a client thread at all (0); woken before the
     * claimed call ended (1 900); woken after it but before any later call of its own ended (2 100: a caller
     * pool handing the handler its future late, say).
     */
    @ParameterizedTest(name = "client wakeup at {0}")
    @ValueSource(longs = {0, 1_900, 2_100})
    void anUnclaimingRequestNotShownWaitingForALaterCallOfItsOwnOverrulesTheClaim(long clientWokenNs) {
        ExchangeSpan claimed = call(POOL_THREAD, 1_100, 2_000, 50, 51);
        ExchangeSpan claimant = request(11, 1_050, 2_500, 1_000_001, 51);
        ExchangeSpan alternative = unclaimingRequest(12, 1_000, 6_000, 3_000_001, clientWokenNs);

        offerClaimWithUnclaimingAlternative(claimed, claimant, alternative);

        assertThat(parentOf(claimed)).isZero();
        assertThat(linker.stats().linkedByCompletion()).isZero();
        assertThat(linker.stats().unclaimingAlternativesSetAside()).isZero();
    }

    @Test
    void aLaterCallThatAnotherRequestClaimsDoesNotExplainTheAlternativesWakeup() {
        // the only call ending between the claimed call and the alternative's wakeup is claimed by a third
        // request: nothing shows the alternative waited for a call of its own
        ExchangeSpan claimed = call(POOL_THREAD, 1_100, 2_000, 50, 51);
        ExchangeSpan thirdsCall = call(POOL_THREAD + 2, 1_150, 2_050, 70, 71);
        ExchangeSpan claimant = request(11, 1_050, 2_500, 1_000_001, 51);
        ExchangeSpan third = request(13, 1_120, 2_400, 5_000_001, 71);
        ExchangeSpan alternative = unclaimingRequest(12, 1_000, 6_000, 3_000_001, 2_100);

        linker.offer(claimed, 2_000);
        linker.offer(thirdsCall, 2_050);
        linker.offer(third, 2_400);
        linker.offer(claimant, 2_500);
        linker.offer(alternative, 6_000);
        linker.tick(6_000 + GRACE);
        linker.tick(6_000 + GRACE + HOLD);

        assertThat(parentOf(claimed)).isZero();
    }
}

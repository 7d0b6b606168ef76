package io.spanscope.spans.link;

import static io.spanscope.spans.TestExchanges.client;
import static io.spanscope.spans.TestExchanges.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.ids.SpanIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Time is driven explicitly: spans carry capture-clock instants, {@code nowNs} is when the linker sees them. */
class LocalLinkerTest {

    private static final int FRONTEND = 100;
    private static final int LOADGEN = 300;
    private static final long GRACE = 100;
    private static final long HOLD = 1_000;
    private static final long HISTORY = 10_000;

    private final List<Fragment> published = new ArrayList<>();
    private final LocalLinker linker = new LocalLinker(new LinkerConfig(GRACE, HOLD, HISTORY),
            tgid -> Set.of(FRONTEND).contains(tgid), published::add);

    private Fragment publishedWithRoot(ExchangeSpan root) {
        return published.stream().filter(f -> f.root().spanId() == root.spanId()).findFirst()
                .orElseThrow(() -> new AssertionError("no fragment rooted at " + root.name() + " in " + published));
    }

    private List<Long> childIds(Fragment fragment) {
        return fragment.children().stream().map(ExchangeSpan::spanId).toList();
    }

    @Test
    void callOnTheServingThreadInsideTheExchangeIsItsChild() {
        ExchangeSpan call = client(FRONTEND, 11, 2_000, 3_000, 7, 8);
        ExchangeSpan request = server(FRONTEND, 11, 1_000, 5_000, 1, 2);

        linker.offer(call, 4_500);
        linker.offer(request, 5_000);
        linker.tick(5_000 + GRACE - 1);
        assertThat(published).isEmpty();
        assertThat(linker.held()).isEqualTo(2);

        linker.tick(5_000 + GRACE);
        assertThat(published).hasSize(1);
        Fragment fragment = published.get(0);
        assertThat(fragment.root()).isEqualTo(request);
        assertThat(childIds(fragment)).containsExactly(call.spanId());
        assertThat(fragment.rootParentSpanId()).isEqualTo(SpanIds.client(1, 2));
        assertThat(fragment.rootParentIsRemote()).isTrue();
        assertThat(linker.stats()).isEqualTo(new LinkerStats(1, 0, 0, 0, 0, 1, 0, 0, 0, 0));
        assertThat(linker.held()).isZero();
    }

    @Test
    void callArrivingAfterItsServerButWithinGraceIsStillAChild() {
        ExchangeSpan request = server(FRONTEND, 11, 1_000, 5_000, 1, 2);
        ExchangeSpan call = client(FRONTEND, 11, 2_000, 3_000, 7, 8);
        linker.offer(request, 5_000);
        linker.offer(call, 5_050);
        linker.tick(5_100);
        assertThat(published).hasSize(1);
        assertThat(childIds(published.get(0))).containsExactly(call.spanId());
    }

    @Test
    void callOnAnotherThreadInsideTheOnlyServerExchangeInFlightIsItsChild() {
        ExchangeSpan call = client(FRONTEND, 40, 2_000, 3_000, 7, 8);
        ExchangeSpan request = server(FRONTEND, 11, 1_000, 5_000, 1, 2);
        linker.offer(call, 3_000);
        linker.offer(request, 5_000);
        linker.tick(6_000);

        assertThat(childIds(publishedWithRoot(request))).containsExactly(call.spanId());
        assertThat(linker.stats().linkedSoleCandidate()).isEqualTo(1);
        assertThat(linker.stats().linkedSameThread()).isZero();
    }

    @Test
    void twoConcurrentServerExchangesOnOtherThreadsLeaveTheCallUnlinked() {
        ExchangeSpan call = client(FRONTEND, 40, 2_000, 3_000, 7, 8);
        ExchangeSpan first = server(FRONTEND, 11, 1_000, 5_000, 1, 2);
        ExchangeSpan second = server(FRONTEND, 12, 1_500, 5_500, 3, 4);
        linker.offer(call, 3_000);
        linker.offer(first, 5_000);
        linker.offer(second, 5_500);
        linker.tick(10_000);

        assertThat(publishedWithRoot(first).children()).isEmpty();
        assertThat(publishedWithRoot(second).children()).isEmpty();
        Fragment alone = publishedWithRoot(call);
        assertThat(alone.rootParentSpanId()).isZero();
        assertThat(alone.children()).isEmpty();
        assertThat(published).hasSize(3);
        assertThat(linker.stats().ambiguous()).isEqualTo(1);
        assertThat(linker.stats().linkedSoleCandidate() + linker.stats().linkedSameThread()).isZero();
    }

    @Test
    void aServerExchangeThatOnlyOverlapsTheCallStillMakesItAmbiguous() {
        ExchangeSpan call = client(FRONTEND, 40, 2_000, 3_000, 7, 8);
        ExchangeSpan containing = server(FRONTEND, 11, 1_000, 5_000, 1, 2);
        ExchangeSpan overlapping = server(FRONTEND, 12, 2_500, 4_000, 3, 4);
        linker.offer(call, 3_000);
        linker.offer(overlapping, 4_000);
        linker.offer(containing, 5_000);
        linker.tick(10_000);

        assertThat(publishedWithRoot(containing).children()).isEmpty();
        assertThat(publishedWithRoot(call).rootParentSpanId()).isZero();
        assertThat(linker.stats().ambiguous()).isEqualTo(1);
    }

    @Test
    void theServingThreadDecidesAmongConcurrentServerExchanges() {
        ExchangeSpan call = client(FRONTEND, 12, 2_000, 3_000, 7, 8);
        ExchangeSpan first = server(FRONTEND, 11, 1_000, 5_000, 1, 2);
        ExchangeSpan second = server(FRONTEND, 12, 1_500, 5_500, 3, 4);
        linker.offer(call, 3_000);
        linker.offer(first, 5_000);
        linker.offer(second, 5_500);
        linker.tick(10_000);

        assertThat(publishedWithRoot(first).children()).isEmpty();
        assertThat(childIds(publishedWithRoot(second))).containsExactly(call.spanId());
        assertThat(linker.stats().linkedSameThread()).isEqualTo(1);
        assertThat(published).hasSize(2);
    }

    @Test
    void aLateServerRecordDoesNotHideAConcurrentExchangeFromTheAmbiguityCheck() {
        // records of one process arrive out of completion order: 'stale' ended long before the call but
        // its record arrives between those of two exchanges that both contain the call
        ExchangeSpan call = client(FRONTEND, 40, 2_000, 3_000, 7, 8);
        ExchangeSpan first = server(FRONTEND, 11, 1_000, 5_000, 1, 2);
        ExchangeSpan stale = server(FRONTEND, 13, 100, 200, 5, 6);
        ExchangeSpan second = server(FRONTEND, 12, 1_500, 4_500, 3, 4);
        linker.offer(first, 5_000);
        linker.offer(stale, 5_001);
        linker.offer(second, 5_002);
        linker.offer(call, 5_003);
        linker.tick(10_000);

        assertThat(publishedWithRoot(first).children()).isEmpty();
        assertThat(publishedWithRoot(second).children()).isEmpty();
        assertThat(publishedWithRoot(call).rootParentSpanId()).isZero();
        assertThat(linker.stats().ambiguous()).isEqualTo(1);
    }

    @Test
    void aCallWhoseServerWasAlreadyPublishedBecomesALateFragmentPointingAtIt() {
        ExchangeSpan request = server(FRONTEND, 11, 1_000, 5_000, 1, 2);
        ExchangeSpan call = client(FRONTEND, 11, 2_000, 3_000, 7, 8);
        linker.offer(request, 5_000);
        linker.tick(5_000 + GRACE);
        assertThat(published).hasSize(1);

        linker.offer(call, 5_500);
        assertThat(published).hasSize(2);
        Fragment late = published.get(1);
        assertThat(late.root()).isEqualTo(call);
        assertThat(late.rootParentSpanId()).isEqualTo(request.spanId());
        assertThat(late.rootParentIsRemote()).isFalse();
        assertThat(linker.stats().linkedLate()).isEqualTo(1);
    }

    @Test
    void callsOfAProcessThatServesNothingArePublishedAtOnce() {
        ExchangeSpan call = client(LOADGEN, 5, 2_000, 3_000, 7, 8);
        linker.offer(call, 3_000);

        assertThat(published).hasSize(1);
        assertThat(published.get(0).root()).isEqualTo(call);
        assertThat(published.get(0).rootParentSpanId()).isZero();
        assertThat(linker.held()).isZero();
    }

    @Test
    void aHeldCallNoServerExchangeClaimsIsPublishedUnlinkedWhenItsHoldExpires() {
        ExchangeSpan call = client(FRONTEND, 40, 2_000, 3_000, 7, 8);
        linker.offer(call, 3_000);
        linker.tick(3_000 + HOLD - 1);
        assertThat(published).isEmpty();

        linker.tick(3_000 + HOLD);
        assertThat(published).hasSize(1);
        assertThat(published.get(0).root()).isEqualTo(call);
        assertThat(published.get(0).rootParentSpanId()).isZero();
        assertThat(linker.stats().unlinked()).isEqualTo(1);
        assertThat(linker.held()).isZero();
    }

    @Test
    void aServerThatDoesNotContainTheCallDoesNotAdoptIt() {
        ExchangeSpan call = client(FRONTEND, 11, 6_000, 7_000, 7, 8);
        ExchangeSpan request = server(FRONTEND, 11, 1_000, 5_000, 1, 2);
        linker.offer(request, 5_000);
        linker.offer(call, 7_000);
        linker.tick(7_000 + HOLD);

        assertThat(publishedWithRoot(request).children()).isEmpty();
        assertThat(publishedWithRoot(call).rootParentSpanId()).isZero();
        assertThat(linker.stats().unlinked()).isEqualTo(1);
    }

    @Test
    void flushPublishesEverythingHeld() {
        ExchangeSpan call = client(FRONTEND, 11, 2_000, 3_000, 7, 8);
        ExchangeSpan request = server(FRONTEND, 11, 1_000, 5_000, 1, 2);
        ExchangeSpan stray = client(FRONTEND, 50, 9_000, 9_500, 9, 10);
        linker.offer(call, 3_000);
        linker.offer(request, 5_000);
        linker.offer(stray, 9_500);
        assertThat(linker.held()).isEqualTo(3);

        linker.flush();
        assertThat(published).hasSize(2);
        assertThat(childIds(publishedWithRoot(request))).containsExactly(call.spanId());
        assertThat(publishedWithRoot(stray).rootParentSpanId()).isZero();
        assertThat(linker.held()).isZero();
        assertThat(linker.stats().fragments()).isEqualTo(2);
    }

    @Test
    void serverExchangesArePublishedInArrivalOrderOnceTheirGraceIsOver() {
        ExchangeSpan a = server(FRONTEND, 11, 1_000, 2_000, 1, 2);
        ExchangeSpan b = server(FRONTEND, 12, 1_500, 2_500, 3, 4);
        linker.offer(a, 2_000);
        linker.offer(b, 2_500);
        linker.tick(2_000 + GRACE);
        assertThat(published).extracting(Fragment::root).containsExactly(a);
        linker.tick(2_500 + GRACE);
        assertThat(published).extracting(Fragment::root).containsExactly(a, b);
    }

    @Test
    void configRejectsInconsistentWaits() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new LinkerConfig(10, 5, 100));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new LinkerConfig(10, 50, 20));
    }

    @Test
    void whileASecondRequestMayBeInFlightAPoolThreadsCallIsNotGivenToTheOnlyRecordedExchange() {
        // a long request (thread 12) is still running when a short one (thread 11) completes; the long one's
        // call, made from pool thread 40, lies inside the short one too. Its record is all the linker has.
        ServerConnectionGauge gauge = new ServerConnectionGauge();
        LocalLinker guarded = new LocalLinker(new LinkerConfig(GRACE, HOLD, HISTORY), tgid -> true, gauge,
                published::add);
        gauge.opened(FRONTEND, 500);
        gauge.opened(FRONTEND, 900);
        ExchangeSpan poolCall = client(FRONTEND, 40, 2_000, 3_000, 7, 8);
        ExchangeSpan shortRequest = server(FRONTEND, 11, 1_000, 5_000, 1, 2);
        guarded.offer(poolCall, 3_000);
        guarded.offer(shortRequest, 5_000);
        guarded.tick(5_000 + GRACE);

        assertThat(childIds(publishedWithRoot(shortRequest))).isEmpty();
        assertThat(publishedWithRoot(poolCall).rootParentSpanId()).isZero();
        assertThat(guarded.stats().ambiguous()).isEqualTo(1);
        assertThat(guarded.stats().linkedSoleCandidate()).isZero();
    }

    @Test
    void withOneServerConnectionOpenThroughoutTheSoleCandidateRuleStillLinks() {
        ServerConnectionGauge gauge = new ServerConnectionGauge();
        LocalLinker guarded = new LocalLinker(new LinkerConfig(GRACE, HOLD, HISTORY), tgid -> true, gauge,
                published::add);
        gauge.opened(FRONTEND, 500);
        gauge.opened(FRONTEND, 600);
        gauge.closed(FRONTEND, 700);
        ExchangeSpan poolCall = client(FRONTEND, 40, 2_000, 3_000, 7, 8);
        ExchangeSpan request = server(FRONTEND, 11, 1_000, 5_000, 1, 2);
        guarded.offer(poolCall, 3_000);
        guarded.offer(request, 5_000);
        guarded.tick(5_000 + GRACE);

        assertThat(childIds(publishedWithRoot(request))).containsExactly(poolCall.spanId());
        assertThat(guarded.stats().linkedSoleCandidate()).isEqualTo(1);
    }

    @Test
    void manyHeldCallsAreMatchedOnlyAgainstTheExchangesThatContainThem() {
        // 2 000 sequential requests, each with one call on its own thread: every call finds its own request
        List<ExchangeSpan> requests = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            long start = 10_000L + i * 100;
            ExchangeSpan call = client(FRONTEND, 1_000 + i, start + 10, start + 60, 10_000 + i, 20_000 + i);
            ExchangeSpan request = server(FRONTEND, 1_000 + i, start, start + 90, 30_000 + i, 40_000 + i);
            requests.add(request);
            linker.offer(call, start + 60);
            linker.offer(request, start + 90);
        }
        linker.flush();
        for (ExchangeSpan request : requests) {
            assertThat(publishedWithRoot(request).children()).hasSize(1);
        }
        assertThat(linker.stats().linkedSameThread()).isEqualTo(2_000);
    }
}

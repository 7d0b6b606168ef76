package io.spanscope.spans.resolve;

import static io.spanscope.spans.TestExchanges.LOAD_BALANCER;
import static io.spanscope.spans.TestExchanges.clientRecord;
import static io.spanscope.spans.TestExchanges.endpoint;
import static io.spanscope.spans.TestExchanges.serverRecord;
import static io.spanscope.spans.TestExchanges.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceId;
import io.spanscope.spans.CapturedSpanData;
import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.link.Fragment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A four-process chain: loadgen calls frontend (exchange 1), frontend calls backend (2), backend calls the
 * database (3). The load generator serves nothing, so its call is a fragment of its own.
 */
class TraceResolverTest {

    private static final long PARENT_WAIT = 1_000;
    private static final long RETENTION = 100_000;

    private final ExchangeSpan loadgenCall = span(clientRecord(1, 1, 1_000, 9_000, 10, 11), "loadgen");
    private final ExchangeSpan frontendServer = span(serverRecord(2, 2, 1_100, 8_900, 10, 11)
            .client(endpoint("10.0.0.5", 41_000)), "frontend");
    private final ExchangeSpan frontendCall = span(clientRecord(2, 2, 2_000, 7_000, 20, 21), "frontend");
    private final ExchangeSpan backendServer = span(serverRecord(3, 3, 2_100, 6_900, 20, 21)
            .client(endpoint("10.0.0.1", 50_002)), "backend");
    private final ExchangeSpan backendCall = span(clientRecord(3, 3, 3_000, 5_000, 30, 31), "backend");
    private final ExchangeSpan dbServer = span(serverRecord(4, 4, 3_100, 4_900, 30, 31)
            .client(endpoint("10.0.0.2", 50_003)), "db");

    private final Fragment loadgen = Fragment.of(loadgenCall, List.of());
    private final Fragment frontend = Fragment.of(frontendServer, List.of(frontendCall));
    private final Fragment backend = Fragment.of(backendServer, List.of(backendCall));
    private final Fragment db = Fragment.of(dbServer, List.of());

    private final List<CapturedSpanData> spans = new ArrayList<>();
    private final List<String> edges = new ArrayList<>();
    private final ResolvedSpanListener listener = new ResolvedSpanListener() {
        @Override
        public void onSpan(CapturedSpanData span) {
            spans.add(span);
        }

        @Override
        public void onEdge(KnownSpan client, ExchangeSpan server) {
            edges.add(client.serviceName() + "->" + server.service().serviceName());
        }
    };

    private TraceResolver resolver(int maxKnown, int maxWaiting) {
        return new TraceResolver(new InMemoryResolverState(RETENTION, maxKnown, maxWaiting), PARENT_WAIT,
                peer -> !peer.equals(LOAD_BALANCER), listener);
    }

    private final TraceResolver resolver = resolver(1_000, 1_000);

    private CapturedSpanData out(ExchangeSpan exchange) {
        return spans.stream().filter(s -> s.exchange() == exchange).findFirst()
                .orElseThrow(() -> new AssertionError("not resolved: " + exchange.name()));
    }

    private static String traceOf(ExchangeSpan root) {
        TraceKey key = TraceKey.rootedAt(root.spanId());
        return TraceId.fromLongs(key.high(), key.low());
    }

    private void assertParent(ExchangeSpan child, ExchangeSpan parent, boolean remote) {
        CapturedSpanData c = out(child);
        assertThat(c.getParentSpanId()).isEqualTo(SpanId.fromLong(parent.spanId()));
        assertThat(c.getParentSpanContext().isRemote()).isEqualTo(remote);
        assertThat(c.getTraceId()).isEqualTo(out(parent).getTraceId());
    }

    @Test
    void aChildFragmentWaitsForItsParentAndTakesItsTrace() {
        resolver.onFragment(backend, 0);
        assertThat(spans).isEmpty();
        assertThat(resolver.stats().waiting()).isEqualTo(1);

        resolver.onFragment(frontend, 10);
        assertThat(resolver.stats().waiting()).isEqualTo(2); // frontend waits for loadgen
        resolver.onFragment(loadgen, 20);

        assertThat(spans).hasSize(5);
        assertThat(spans).extracting(CapturedSpanData::getTraceId).containsOnly(traceOf(loadgenCall));
        assertThat(out(loadgenCall).getParentSpanContext().isValid()).isFalse();
        assertParent(frontendServer, loadgenCall, true);
        assertParent(frontendCall, frontendServer, false);
        assertParent(backendServer, frontendCall, true);
        assertParent(backendCall, backendServer, false);
        assertThat(edges).containsExactlyInAnyOrder("loadgen->frontend", "frontend->backend");
        assertThat(resolver.stats().resolvedAfterWait()).isEqualTo(2);
        assertThat(resolver.stats().waiting()).isZero();
    }

    @Test
    void aChildFragmentArrivingAfterItsParentIsResolvedAtOnce() {
        resolver.onFragment(loadgen, 0);
        resolver.onFragment(frontend, 10);
        resolver.onFragment(backend, 20);

        assertThat(spans).hasSize(5);
        assertThat(spans).extracting(CapturedSpanData::getTraceId).containsOnly(traceOf(loadgenCall));
        assertParent(backendServer, frontendCall, true);
        assertThat(resolver.stats().resolvedAtOnce()).isEqualTo(2);
        assertThat(resolver.stats().resolvedAfterWait()).isZero();
        assertThat(edges).containsExactly("loadgen->frontend", "frontend->backend");
    }

    @Test
    void aChainArrivingInReverseResolvesTransitivelyIntoOneTrace() {
        resolver.onFragment(db, 0);
        resolver.onFragment(backend, 1);
        resolver.onFragment(frontend, 2);
        assertThat(spans).isEmpty();
        assertThat(resolver.stats().waiting()).isEqualTo(3);

        resolver.onFragment(loadgen, 3);
        assertThat(spans).hasSize(6);
        assertThat(spans).extracting(CapturedSpanData::getTraceId).containsOnly(traceOf(loadgenCall));
        assertParent(dbServer, backendCall, true);
        assertThat(edges).containsExactlyInAnyOrder("loadgen->frontend", "frontend->backend", "backend->db");
        assertThat(resolver.stats().resolvedAfterWait()).isEqualTo(3);
        assertThat(resolver.stats().waiting()).isZero();
    }

    @Test
    void aFragmentCalledFromAnUntracedPeerIsARootAtOnce() {
        Fragment fromOutside = Fragment.of(span(serverRecord(2, 2, 1_100, 8_900, 10, 11), "frontend"), List.of());
        resolver.onFragment(fromOutside, 0);

        assertThat(spans).hasSize(1);
        assertThat(spans.get(0).getParentSpanContext().isValid()).isFalse();
        assertThat(spans.get(0).getTraceId()).isEqualTo(traceOf(fromOutside.root()));
        assertThat(resolver.stats().externalRoots()).isEqualTo(1);
        assertThat(edges).isEmpty();
    }

    @Test
    void aFragmentWhoseParentNeverComesBecomesARootAfterTheWait() {
        resolver.onFragment(backend, 500);
        resolver.tick(500 + PARENT_WAIT - 1);
        assertThat(spans).isEmpty();

        resolver.tick(500 + PARENT_WAIT);
        assertThat(spans).hasSize(2);
        assertThat(out(backendServer).getParentSpanContext().isValid()).isFalse();
        assertThat(out(backendServer).getTraceId()).isEqualTo(traceOf(backendServer));
        assertParent(backendCall, backendServer, false);
        assertThat(resolver.stats().timedOutRoots()).isEqualTo(1);
        assertThat(resolver.stats().waiting()).isZero();

        // its own calls still parent what comes after: the db fragment joins the timed-out root's trace
        resolver.onFragment(db, 2_000);
        assertThat(out(dbServer).getTraceId()).isEqualTo(traceOf(backendServer));
    }

    @Test
    void aChainWhoseRootNeverComesTimesOutAsOneTrace() {
        // the innermost exchange completes first, so its fragment starts waiting first
        resolver.onFragment(db, 0);
        resolver.onFragment(backend, 100);
        resolver.onFragment(frontend, 200);
        resolver.tick(PARENT_WAIT + 100);
        assertThat(spans).isEmpty();

        resolver.tick(PARENT_WAIT + 200);
        assertThat(spans).hasSize(5);
        assertThat(spans).extracting(CapturedSpanData::getTraceId).containsOnly(traceOf(frontendServer));
        assertThat(out(frontendServer).getParentSpanContext().isValid()).isFalse();
        assertParent(backendServer, frontendCall, true);
        assertParent(dbServer, backendCall, true);
        assertThat(resolver.stats().timedOutRoots()).isEqualTo(1);
        assertThat(resolver.stats().resolvedAfterWait()).isEqualTo(2);
        assertThat(resolver.stats().waiting()).isZero();
    }

    @Test
    void aFullWaitingStateMakesRootsAtOnceAndCountsThem() {
        TraceResolver small = resolver(1_000, 1);
        small.onFragment(backend, 0);
        small.onFragment(db, 0);

        assertThat(spans).extracting(CapturedSpanData::exchange).containsExactly(dbServer);
        assertThat(out(dbServer).getTraceId()).isEqualTo(traceOf(dbServer));
        assertThat(small.stats().stateFullRoots()).isEqualTo(1);
        assertThat(small.stats().waiting()).isEqualTo(1);
    }

    @Test
    void evictedKnownSpansAreCountedAndNoLongerParentAnything() {
        TraceResolver small = resolver(2, 1_000);
        small.onFragment(loadgen, 0);
        small.onFragment(frontend, 1); // three known spans now: loadgen's call is evicted
        assertThat(small.stats().evictedKnownSpans()).isEqualTo(1);
        assertThat(small.stats().knownSpans()).isEqualTo(2);

        Fragment retriedFrontend = Fragment.of(span(serverRecord(2, 2, 1_100, 8_900, 10, 11)
                .client(endpoint("10.0.0.5", 41_000)), "frontend-2"), List.of());
        small.onFragment(retriedFrontend, 2);
        assertThat(small.stats().waiting()).isEqualTo(1);
        small.onFragment(backend, 3);
        assertThat(out(backendServer).getTraceId()).isEqualTo(traceOf(loadgenCall));
    }

    @Test
    void knownSpansAreForgottenAfterTheirRetention() {
        resolver.onFragment(loadgen, 0);
        resolver.tick(RETENTION);
        assertThat(resolver.stats().knownSpans()).isZero();
        resolver.onFragment(frontend, RETENTION + 1);
        assertThat(resolver.stats().waiting()).isEqualTo(1);
    }

    @Test
    void flushMakesEverythingWaitingARoot() {
        resolver.onFragment(db, 0);
        resolver.onFragment(backend, 0);
        resolver.flush(10);

        assertThat(spans).hasSize(3);
        // backend became a root; db, released by backend's call, joined its trace
        assertThat(spans).extracting(CapturedSpanData::getTraceId).containsOnly(traceOf(backendServer));
        assertParent(dbServer, backendCall, true);
        assertThat(resolver.stats().waiting()).isZero();
    }

    /**
     * Two "partition tasks", each a resolver over its own state: a fragment goes to the task of the span it
     * waits for (or of its root), an announcement to the task of its span, delivered later through a queue
     * as the known-spans topic would. Every arrival order gives the trace of the single-process resolver.
     */
    @Test
    void announcementsDeliveredLaterInAnotherTaskResolveTheSameChain() {
        List<List<Fragment>> orders = List.of(List.of(loadgen, frontend, backend, db),
                List.of(db, backend, frontend, loadgen), List.of(backend, loadgen, db, frontend),
                List.of(frontend, db, loadgen, backend));
        for (List<Fragment> order : orders) {
            spans.clear();
            edges.clear();
            ArrayDeque<long[]> topic = new ArrayDeque<>();
            List<KnownSpan> announced = new ArrayList<>();
            TraceResolver[] tasks = new TraceResolver[2];
            for (int t = 0; t < 2; t++) {
                tasks[t] = new TraceResolver(new InMemoryResolverState(RETENTION, 1_000, 1_000), PARENT_WAIT,
                        peer -> !peer.equals(LOAD_BALANCER), new ResolvedSpans(listener), (spanId, known, now) -> {
                            announced.add(known);
                            topic.addLast(new long[] {spanId, announced.size() - 1});
                        });
            }
            for (Fragment f : order) {
                long key = f.rootParentSpanId() != 0 ? f.rootParentSpanId() : f.root().spanId();
                tasks[(int) Math.floorMod(key, 2L)].onFragment(f, 0);
                while (!topic.isEmpty()) {
                    long[] a = topic.pollFirst();
                    tasks[(int) Math.floorMod(a[0], 2L)].onAnnouncement(a[0], announced.get((int) a[1]), 0);
                }
            }

            assertThat(spans).as("order %s", order).hasSize(6);
            assertThat(spans).extracting(CapturedSpanData::getTraceId).containsOnly(traceOf(loadgenCall));
            assertParent(frontendServer, loadgenCall, true);
            assertParent(backendServer, frontendCall, true);
            assertParent(dbServer, backendCall, true);
            assertThat(edges).containsExactlyInAnyOrder("loadgen->frontend", "frontend->backend", "backend->db");
            assertThat(tasks[0].stats().waiting() + tasks[1].stats().waiting()).isZero();
        }
    }
}

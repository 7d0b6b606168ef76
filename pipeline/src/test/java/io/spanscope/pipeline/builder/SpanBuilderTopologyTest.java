package io.spanscope.pipeline.builder;

import static io.spanscope.pipeline.wire.WireFragments.client;
import static io.spanscope.pipeline.wire.WireFragments.server;
import static io.spanscope.pipeline.wire.WireFragments.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceId;
import io.spanscope.pipeline.wire.FragmentKeys;
import io.spanscope.spans.CapturedSpanData;
import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.resolve.TraceKey;
import io.spanscope.spans.service.ServiceIdentity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The topology over four partition tasks. A chain loadgen → frontend → backend → db: the load generator
 * serves nothing, so its call is a fragment of its own; every other fragment waits for the client span of
 * the process before it, which usually lives in another partition.
 */
class SpanBuilderTopologyTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final SpanBuilderSettings SETTINGS = SpanBuilderSettings.builder().parentWait(WAIT)
            .knownSpanRetention(Duration.ofSeconds(60)).tickInterval(Duration.ofMillis(100)).build();

    private final ServiceIdentity loadgenService = service("loadgen", 1);
    private final ServiceIdentity frontendService = service("frontend", 2);
    private final ServiceIdentity backendService = service("backend", 3);
    private final ServiceIdentity dbService = service("db", 4);

    private final ExchangeSpan loadgenCall = client(0x1001, loadgenService, false);
    private final ExchangeSpan frontendServer = server(0x2001, 0x1001, frontendService);
    private final ExchangeSpan frontendCall = client(0x2002, frontendService, false);
    private final ExchangeSpan backendServer = server(0x3001, 0x2002, backendService);
    private final ExchangeSpan backendCall = client(0x3002, backendService, true);
    private final ExchangeSpan dbServer = server(0x4001, 0x3002, dbService);

    private final Fragment loadgen = Fragment.of(loadgenCall, List.of());
    private final Fragment frontend = Fragment.of(frontendServer, List.of(frontendCall));
    private final Fragment backend = Fragment.of(backendServer, List.of(backendCall));
    private final Fragment db = Fragment.of(dbServer, List.of());

    private static String traceOf(ExchangeSpan root) {
        TraceKey key = TraceKey.rootedAt(root.spanId());
        return TraceId.fromLongs(key.high(), key.low());
    }

    private static CapturedSpanData out(PartitionedDrivers b, ExchangeSpan exchange) {
        List<CapturedSpanData> found = b.spans.stream().filter(s -> s.exchange().spanId() == exchange.spanId()).toList();
        assertThat(found).as("spans of %s", exchange.name()).hasSize(1);
        return found.get(0);
    }

    private static void assertParent(PartitionedDrivers b, ExchangeSpan child, ExchangeSpan parent, boolean remote) {
        CapturedSpanData c = out(b, child);
        assertThat(c.getParentSpanId()).isEqualTo(SpanId.fromLong(parent.spanId()));
        assertThat(c.getParentSpanContext().isRemote()).isEqualTo(remote);
        assertThat(c.getTraceId()).isEqualTo(out(b, parent).getTraceId());
    }

    @Test
    void theFragmentsAreSpreadOverSeveralPartitions() {
        try (PartitionedDrivers b = new PartitionedDrivers(4, SETTINGS)) {
            long[] keys = {FragmentKeys.keySpanId(frontend), FragmentKeys.keySpanId(backend), FragmentKeys.keySpanId(db)};
            assertThat(java.util.Arrays.stream(keys).mapToObj(k -> org.apache.kafka.common.utils.Utils.toPositive(
                    org.apache.kafka.common.utils.Utils.murmur2(FragmentKeys.spanIdKey(k))) % 4).distinct().count())
                    .as("partitions of the three waiting fragments").isGreaterThan(1);
        }
    }

    @Test
    void aChainResolvesAcrossPartitionsInEveryArrivalOrder() {
        for (List<Fragment> order : permutations(List.of(loadgen, frontend, backend, db))) {
            try (PartitionedDrivers b = new PartitionedDrivers(4, SETTINGS)) {
                order.forEach(b::publish);

                assertThat(b.spans).as("order %s", names(order)).hasSize(6);
                assertThat(b.spans).extracting(CapturedSpanData::getTraceId).containsOnly(traceOf(loadgenCall));
                assertThat(out(b, loadgenCall).getParentSpanContext().isValid()).isFalse();
                assertParent(b, frontendServer, loadgenCall, true);
                assertParent(b, frontendCall, frontendServer, false);
                assertParent(b, backendServer, frontendCall, true);
                assertParent(b, backendCall, backendServer, false);
                assertParent(b, dbServer, backendCall, true);
                assertThat(b.edges).containsExactlyInAnyOrder("loadgen->frontend", "frontend->backend", "backend->db");
                ResolverCounters c = b.counters();
                assertThat(c.waiting()).isZero();
                assertThat(c.resolvedAtOnce() + c.resolvedAfterWait()).isEqualTo(3);
                assertThat(c.timedOutRoots()).isZero();
                // no wait lasted the pending-announcement delay: nothing was announced pending
                assertThat(c.pendingAnnouncedFragments()).isZero();
                assertThat(c.announcements()).isEqualTo(6);
            }
        }
    }

    @Test
    void aFanOutIsAnnouncedOneRecordPerPartitionAndItsReleasedWaitersResolvedTogether() {
        List<ExchangeSpan> calls = new ArrayList<>();
        List<ExchangeSpan> backendServers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(client(0x2100 + i, frontendService, false));
            backendServers.add(server(0x3100 + i, 0x2100 + i, backendService));
        }
        Fragment wideFrontend = Fragment.of(frontendServer, calls);
        try (PartitionedDrivers b = new PartitionedDrivers(4, SETTINGS)) {
            backendServers.forEach(s -> b.publish(Fragment.of(s, List.of()))); // they wait for the calls
            b.publish(loadgen);
            long announcementRecordsBefore = b.announcementRecords;
            long resolvedRecordsBefore = b.resolvedRecords;
            b.publish(wideFrontend);

            assertThat(b.spans).hasSize(1 + 9 + 8);
            assertThat(b.spans).extracting(CapturedSpanData::getTraceId).containsOnly(traceOf(loadgenCall));
            for (int i = 0; i < 8; i++) {
                assertParent(b, backendServers.get(i), calls.get(i), true);
            }
            // frontend's 9 spans: one record per partition that owns any; then each partition that released
            // waiters announces their spans, again one record per target partition
            java.util.Map<Integer, java.util.Set<Integer>> releasedTargets = new java.util.HashMap<>();
            for (int i = 0; i < 8; i++) {
                releasedTargets.computeIfAbsent(partitionOf(calls.get(i).spanId()), p -> new java.util.HashSet<>())
                        .add(partitionOf(backendServers.get(i).spanId()));
            }
            long frontendRecords = java.util.stream.Stream.concat(java.util.stream.Stream.of(frontendServer),
                    calls.stream()).map(s -> partitionOf(s.spanId())).distinct().count();
            long releasedRecords = releasedTargets.values().stream().mapToLong(java.util.Set::size).sum();
            assertThat(b.announcementRecords - announcementRecordsBefore).isEqualTo(frontendRecords + releasedRecords)
                    .isLessThan(9 + 8);
            // frontend's own record, then one per partition whose waiters its announcements released
            assertThat(b.resolvedRecords - resolvedRecordsBefore).isEqualTo(1 + releasedTargets.size());
            // every announcement record read is one known-spans changelog record, whatever its span count
            assertThat(b.changelogRecords(SpanBuilderTopology.KNOWN_SPANS_STORE)).isEqualTo(b.announcementRecords);
            assertThat(b.counters().announcements()).isEqualTo(1 + 9 + 8);
        }
    }

    private static int partitionOf(long spanId) {
        return org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(FragmentKeys.spanIdKey(spanId))) % 4;
    }

    @Test
    void aFragmentWhoseParentNeverComesBecomesARootAfterTheWait() {
        try (PartitionedDrivers b = new PartitionedDrivers(4, SETTINGS)) {
            b.publish(backend);
            b.advance(WAIT.minusMillis(300));
            assertThat(b.spans).isEmpty();
            assertThat(b.counters().waiting()).isEqualTo(1);

            b.advance(Duration.ofMillis(300));
            assertThat(b.spans).hasSize(2);
            assertThat(out(b, backendServer).getParentSpanContext().isValid()).isFalse();
            assertThat(out(b, backendServer).getTraceId()).isEqualTo(traceOf(backendServer));
            assertParent(b, backendCall, backendServer, false);
            assertThat(b.counters().timedOutRoots()).isEqualTo(1);

            // its calls still parent what comes later
            b.publish(db);
            assertParent(b, dbServer, backendCall, true);
        }
    }

    @Test
    void aFragmentWhoseCallerIsOutsideTheTracedNetworksIsARootAtOnce() {
        // backend's caller is 10.0.0.9 (WireFragments.server)
        SpanBuilderSettings elsewhere = SETTINGS.toBuilder().tracedNetworks(TracedNetworks.parse("10.1.0.0/16")).build();
        try (PartitionedDrivers b = new PartitionedDrivers(4, elsewhere)) {
            b.publish(backend);
            assertThat(b.spans).hasSize(2);
            assertThat(out(b, backendServer).getParentSpanContext().isValid()).isFalse();
            assertParent(b, backendCall, backendServer, false);
            assertThat(b.counters().externalRoots()).isEqualTo(1);
            assertThat(b.counters().waiting()).isZero();
        }
        SpanBuilderSettings inside = SETTINGS.toBuilder().tracedNetworks(TracedNetworks.parse("10.0.0.0/24")).build();
        try (PartitionedDrivers b = new PartitionedDrivers(4, inside)) {
            b.publish(backend);
            assertThat(b.spans).isEmpty();
            assertThat(b.counters().waiting()).isEqualTo(1);
            b.publish(frontend);
            b.publish(loadgen); // loadgen's fragment has no parent: the whole chain resolves, nothing external
            assertParent(b, backendServer, frontendCall, true);
            assertThat(b.counters().externalRoots()).isZero();
        }
    }

    @Test
    void aChainWhoseRootNeverComesTimesOutAsOneTrace() {
        try (PartitionedDrivers b = new PartitionedDrivers(4, SETTINGS)) {
            // the innermost exchange completes first, so its fragment starts waiting first
            b.publish(db);
            b.advance(Duration.ofSeconds(1));
            b.publish(backend);
            b.advance(Duration.ofSeconds(1));
            b.publish(frontend);
            b.advance(WAIT.minusSeconds(1)); // db's and backend's waits are over, their parents are pending
            assertThat(b.spans).isEmpty();

            b.advance(Duration.ofSeconds(2)); // frontend's is over and loadgen never came
            assertThat(b.spans).hasSize(5);
            assertThat(b.spans).extracting(CapturedSpanData::getTraceId).containsOnly(traceOf(frontendServer));
            assertThat(out(b, frontendServer).getParentSpanContext().isValid()).isFalse();
            assertParent(b, backendServer, frontendCall, true);
            assertParent(b, dbServer, backendCall, true);
            ResolverCounters c = b.counters();
            assertThat(c.timedOutRoots()).isEqualTo(1);
            assertThat(c.resolvedAfterWait()).isEqualTo(2);
            assertThat(c.parkedWaits()).isGreaterThanOrEqualTo(2);
            // db, backend and frontend each waited past the delay (a fifth of the wait) and said so once
            assertThat(c.pendingAnnouncedFragments()).isEqualTo(3);
            assertThat(c.waiting()).isZero();
        }
    }

    private void assertOneChainTrace(PartitionedDrivers b) {
        assertThat(b.spans).hasSize(6);
        assertThat(b.spans).extracting(CapturedSpanData::getTraceId).containsOnly(traceOf(loadgenCall));
        assertParent(b, frontendServer, loadgenCall, true);
        assertParent(b, backendServer, frontendCall, true);
        assertParent(b, dbServer, backendCall, true);
    }

    /*
     * Broker outages. Under exactly-once the stream thread blocks in its next commit while the broker is down,
     * so what the tasks announced just before (and their input probes) is read only after it comes back.
     */

    @Test
    void announcementsHeldUpByAStalledStreamThreadStillReleaseTheirWaiters() {
        try (PartitionedDrivers b = new PartitionedDrivers(4, SETTINGS)) {
            // in the agent's order: each exchange's fragment is published when it completes
            List.of(db, backend, frontend, loadgen).forEach(b::publishHeld);
            b.stalled(Duration.ofSeconds(35)); // every wait's deadline passed while nothing could be read
            b.advance(Duration.ofSeconds(1));

            assertOneChainTrace(b);
            ResolverCounters c = b.counters();
            assertThat(c.timedOutRoots()).isZero();
            assertThat(c.restartedWaits()).isEqualTo(3);
            assertThat(c.waiting()).isZero();
        }
    }

    @Test
    void waitsDoNotRunOutWhileTheTasksCannotReadWhatTheyAnnounced() {
        try (PartitionedDrivers b = new PartitionedDrivers(4, SETTINGS)) {
            List.of(db, backend, frontend, loadgen).forEach(b::publishHeld);
            b.outageWithTicks(Duration.ofSeconds(30)); // punctuations go on, the known-spans topic is unreachable
            b.advance(Duration.ofSeconds(1));

            assertOneChainTrace(b);
            assertThat(b.counters().timedOutRoots()).isZero();
        }
    }

    @Test
    void aParentHeldByTheAgentDuringAnOutageGetsAFreshWaitAfterIt() {
        try (PartitionedDrivers b = new PartitionedDrivers(4, SETTINGS)) {
            b.publish(db); // got through; backend's fragment is still in the agent's buffer
            b.outageWithTicks(Duration.ofSeconds(30));
            b.advance(Duration.ofSeconds(2)); // the agent reconnects and sends what it held
            List.of(backend, frontend, loadgen).forEach(b::publish);

            assertOneChainTrace(b);
            ResolverCounters c = b.counters();
            assertThat(c.timedOutRoots()).isZero();
            assertThat(c.restartedWaits()).isEqualTo(1);
        }
    }

    @Test
    void aWaitThatWasRestartedStillRunsOutWhenItsParentNeverComes() {
        try (PartitionedDrivers b = new PartitionedDrivers(4, SETTINGS)) {
            b.publish(db);
            b.outageWithTicks(Duration.ofSeconds(30));
            b.advance(WAIT.minusMillis(300));
            assertThat(b.spans).isEmpty();

            b.advance(Duration.ofMillis(400));
            assertThat(b.spans).extracting(s -> s.exchange().spanId()).containsExactly(dbServer.spanId());
            assertThat(out(b, dbServer).getTraceId()).isEqualTo(traceOf(dbServer));
            assertThat(b.counters().timedOutRoots()).isEqualTo(1);
        }
    }

    @Test
    void aFragmentDeliveredTwiceYieldsItsSpansOnce() {
        try (PartitionedDrivers b = new PartitionedDrivers(4, SETTINGS)) {
            b.publish(backend);
            b.publish(backend); // while the first copy waits
            b.publish(frontend);
            b.publish(loadgen);
            b.publish(backend); // after it was resolved
            b.publish(loadgen);

            assertThat(b.spans).hasSize(5);
            assertThat(b.spans).extracting(s -> s.exchange().spanId()).doesNotHaveDuplicates();
            assertParent(b, backendServer, frontendCall, true);
            ResolverCounters c = b.counters();
            assertThat(c.duplicateFragments()).isEqualTo(3);
            assertThat(c.fragments()).isEqualTo(6);
        }
    }

    @Test
    void aFullWaitingStoreMakesRootsAtOnceAndCountsThem() {
        SpanBuilderSettings small = SETTINGS.toBuilder().maxWaitingFragments(1).build();
        try (PartitionedDrivers b = new PartitionedDrivers(1, small)) {
            b.publish(backend);
            b.publish(db);

            assertThat(b.spans).extracting(s -> s.exchange().spanId()).containsExactly(dbServer.spanId());
            assertThat(out(b, dbServer).getTraceId()).isEqualTo(traceOf(dbServer));
            ResolverCounters c = b.counters();
            assertThat(c.stateFullRoots()).isEqualTo(1);
            assertThat(c.waiting()).isEqualTo(1);
        }
    }

    @Test
    void aFullKnownSpanStoreEvictsTheOldestAndCountsIt() {
        SpanBuilderSettings small = SETTINGS.toBuilder().maxKnownSpans(2).build();
        try (PartitionedDrivers b = new PartitionedDrivers(1, small)) {
            b.publish(loadgen);
            b.publish(frontend); // three spans announced: loadgen's call is evicted
            ResolverCounters c = b.counters();
            assertThat(c.evictedKnownSpans()).isEqualTo(1);
            assertThat(c.knownSpans()).isEqualTo(2);

            b.publish(backend); // frontend's call is still known
            assertParent(b, backendServer, frontendCall, true);
        }
    }

    @Test
    void knownSpansAreForgottenAfterTheirRetention() {
        try (PartitionedDrivers b = new PartitionedDrivers(4, SETTINGS)) {
            b.publish(loadgen);
            b.advance(SETTINGS.knownSpanRetention().plusSeconds(1));
            assertThat(b.counters().knownSpans()).isZero();
            b.publish(frontend);
            assertThat(b.counters().waiting()).isEqualTo(1);
        }
    }

    @Test
    void unreadableRecordsAreSkippedAndCounted() {
        try (PartitionedDrivers b = new PartitionedDrivers(2, SETTINGS)) {
            b.publishRaw(FragmentKeys.spanIdKey(7), new byte[] {1, 2, 3});
            b.publish(loadgen);
            assertThat(b.spans).hasSize(1);
            assertThat(b.counters().undecodableFragments()).isEqualTo(1);
        }
    }

    @Test
    void unreadableAnnouncementsAreSkippedAndCountedAndTheBatchesAroundThemStillResolve() {
        try (PartitionedDrivers b = new PartitionedDrivers(2, SETTINGS)) {
            b.publish(frontend); // waits for loadgen's call
            byte[] key = FragmentKeys.spanIdKey(7);
            // the batch field (4) alone, its one entry a span id field cut short
            b.announceRaw(key, new byte[] {4 << 3 | 2, 3, 1 << 3 | 2, 1, 1 << 3 | 1});
            b.announceRaw(key, new byte[] {4 << 3 | 2, 5, 1, 2, 3}); // length beyond the record
            assertThat(b.counters().undecodableAnnouncements()).isEqualTo(2);
            assertThat(b.counters().waiting()).isEqualTo(1);

            b.publish(loadgen); // its announcement still releases frontend's fragment
            assertParent(b, frontendServer, loadgenCall, true);
            assertThat(b.counters().waiting()).isZero();
        }
    }

    private static List<String> names(List<Fragment> order) {
        return order.stream().map(f -> f.root().service().serviceName()).toList();
    }

    private static <T> List<List<T>> permutations(List<T> items) {
        if (items.isEmpty()) {
            return List.of(List.of());
        }
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T first = rest.remove(i);
            for (List<T> tail : permutations(rest)) {
                List<T> p = new ArrayList<>();
                p.add(first);
                p.addAll(tail);
                out.add(p);
            }
        }
        return out;
    }
}

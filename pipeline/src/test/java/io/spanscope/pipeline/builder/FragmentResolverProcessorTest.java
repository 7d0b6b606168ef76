package io.spanscope.pipeline.builder;

import static io.spanscope.pipeline.wire.WireFragments.client;
import static io.spanscope.pipeline.wire.WireFragments.server;
import static io.spanscope.pipeline.wire.WireFragments.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.pipeline.builder.proto.AnnouncedSpan;
import io.spanscope.pipeline.builder.proto.ResolvedFragment;
import io.spanscope.pipeline.builder.proto.ResolvedFragments;
import io.spanscope.pipeline.builder.proto.SpanAnnouncement;
import io.spanscope.pipeline.wire.FragmentEncoder;
import io.spanscope.pipeline.wire.FragmentKeys;
import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.resolve.KnownSpan;
import io.spanscope.spans.resolve.ResolvedSpans;
import io.spanscope.spans.service.ServiceIdentity;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One partition task's processor between two commits (a {@link MockProcessorContext}; the commit is the
 * processor's pre-commit flush, which Streams runs through {@link CommitHookStore}): what a commit sends and
 * stores when several fragments were processed before it.
 */
class FragmentResolverProcessorTest {

    private static final int PARTITIONS = 4;
    private static final SpanBuilderSettings SETTINGS = SpanBuilderSettings.builder().build();

    private final ServiceIdentity frontendService = service("frontend", 2);
    private final ServiceIdentity backendService = service("backend", 3);
    private final FragmentEncoder encoder = new FragmentEncoder("agent-test");
    private MockProcessorContext<byte[], byte[]> context;
    private FragmentResolverProcessor processor;
    private long offset;

    @BeforeEach
    void newTask() throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "t");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        context = new MockProcessorContext<>(props, new TaskId(0, 0), Files.createTempDirectory("resolver").toFile());
        for (KeyValueBytesStoreSupplier supplier : List.of(SpanBatchStore.supplier(SpanBuilderTopology.KNOWN_SPANS_STORE),
                HashKeyValueStore.supplier(SpanBuilderTopology.WAITING_STORE),
                SpanBatchStore.supplier(SpanBuilderTopology.SEEN_STORE))) {
            KeyValueStore<Bytes, byte[]> store = Stores.keyValueStoreBuilder(supplier, Serdes.Bytes(),
                    Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled().build();
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
        CommitHookStore hook = CommitHookStore.builder(SpanBuilderTopology.COMMIT_HOOK_STORE).build();
        hook.init(context.getStateStoreContext(), hook);
        context.addStateStore(hook);
        context.setCurrentSystemTimeMs(1_000_000);
        processor = new FragmentResolverProcessor(SETTINGS, new ResolverStatsRegistry(), PARTITIONS);
        processor.init(context);
    }

    private void fragmentIn(Fragment fragment) {
        context.setRecordMetadata(SETTINGS.fragmentsTopic(), 0, offset++);
        processor.process(new Record<>(FragmentKeys.key(fragment), encoder.encode(fragment, 1), 0L));
    }

    private List<CapturedForward<? extends byte[], ? extends byte[]>> sentTo(String sink) {
        return context.forwarded().stream().filter(f -> sink.equals(f.childName().orElse(""))).toList();
    }

    private static int partitionOf(long spanId) {
        return Utils.toPositive(Utils.murmur2(FragmentKeys.spanIdKey(spanId))) % PARTITIONS;
    }

    /** Root fragments (no parent): each resolves at once and announces its spans. */
    private List<Fragment> roots(int n) {
        List<Fragment> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long base = 0x10_000L * (i + 1);
            out.add(Fragment.of(server(base + 1, 0, frontendService),
                    List.of(client(base + 2, frontendService, false), client(base + 3, frontendService, false))));
        }
        return out;
    }

    @Test
    void nothingLeavesTheTaskBeforeItsCommit() {
        roots(3).forEach(this::fragmentIn);
        assertThat(context.forwarded()).isEmpty();
    }

    @Test
    void aCommitSendsOneAnnouncementRecordPerTargetPartitionWithEverySpanInIt() throws Exception {
        List<Fragment> fragments = roots(10);
        fragments.forEach(this::fragmentIn);
        processor.flushForCommit();

        Set<Long> expected = new HashSet<>();
        Set<Integer> partitions = new HashSet<>();
        for (Fragment f : fragments) {
            expected.add(f.root().spanId());
            f.children().forEach(c -> expected.add(c.spanId()));
        }
        expected.forEach(id -> partitions.add(partitionOf(id)));
        List<CapturedForward<? extends byte[], ? extends byte[]>> records = sentTo(FragmentResolverProcessor.KNOWN_SPANS_OUT);
        assertThat(records).hasSize(partitions.size());
        Set<Long> announced = new HashSet<>();
        for (CapturedForward<? extends byte[], ? extends byte[]> r : records) {
            SpanAnnouncement a = SpanAnnouncement.parseFrom(r.record().value());
            assertThat(a.hasBatch()).isTrue();
            int keyPartition = partitionOf(FragmentKeys.spanIdOf(r.record().key()));
            for (AnnouncedSpan s : a.getBatch().getSpansList()) {
                assertThat(partitionOf(s.getSpanId())).as("partition of span %x", s.getSpanId()).isEqualTo(keyPartition);
                assertThat(s.hasResolved()).isTrue();
                assertThat(announced.add(s.getSpanId())).isTrue();
            }
        }
        assertThat(announced).isEqualTo(expected);
    }

    @Test
    void resolvedFragmentsLeaveInRecordsOfAtMost32AndReadBackInOrder() {
        List<Fragment> fragments = roots(70);
        fragments.forEach(this::fragmentIn);
        processor.flushForCommit();

        List<CapturedForward<? extends byte[], ? extends byte[]>> records = sentTo(FragmentResolverProcessor.RESOLVED_OUT);
        assertThat(records).hasSize(3); // 32 + 32 + 6
        List<Long> roots = new ArrayList<>();
        ResolvedFragmentReader reader = new ResolvedFragmentReader(new ResolvedSpans(span -> {
            if (span.exchange().isServer()) {
                roots.add(span.exchange().spanId());
            }
        }));
        int spans = 0;
        for (CapturedForward<? extends byte[], ? extends byte[]> r : records) {
            spans += reader.read(r.record().value());
        }
        assertThat(reader.unreadable()).isZero();
        assertThat(spans).isEqualTo(70 * 3);
        assertThat(roots).containsExactlyElementsOf(fragments.stream().map(f -> f.root().spanId()).toList());
    }

    @Test
    void aFragmentTwiceBeforeACommitOrAgainAfterItIsResolvedOnce() throws Exception {
        List<Fragment> fragments = roots(3);
        fragmentIn(fragments.get(0));
        fragmentIn(fragments.get(1));
        fragmentIn(fragments.get(0)); // re-sent before the commit
        processor.flushForCommit();
        fragmentIn(fragments.get(1)); // re-sent after it: found in the seen-fragments store
        fragmentIn(fragments.get(2));
        processor.flushForCommit();

        List<Long> resolvedRoots = new ArrayList<>();
        for (CapturedForward<? extends byte[], ? extends byte[]> r : sentTo(FragmentResolverProcessor.RESOLVED_OUT)) {
            for (ResolvedFragment f : ResolvedFragments.parseFrom(r.record().value()).getFragmentsList()) {
                resolvedRoots.add(io.spanscope.pipeline.wire.proto.Fragment.parseFrom(f.getFragment()).getRoot().getSpanId());
            }
        }
        assertThat(resolvedRoots).containsExactly(fragments.get(0).root().spanId(), fragments.get(1).root().spanId(),
                fragments.get(2).root().spanId());
        ResolverCounters c = processor.counters();
        assertThat(c.fragments()).isEqualTo(5);
        assertThat(c.duplicateFragments()).isEqualTo(2);
    }

    @Test
    void aSingleResolvedFragmentRecordOfAnOlderSpanBuilderIsStillRead() {
        ExchangeSpan root = server(0x77, 0, backendService);
        Fragment fragment = Fragment.of(root, List.of());
        byte[] old = ResolvedFragment.newBuilder().setTraceIdHigh(1).setTraceIdLow(2)
                .setFragment(com.google.protobuf.ByteString.copyFrom(encoder.encode(fragment, 1))).build().toByteArray();
        List<Long> traces = new ArrayList<>();
        ResolvedFragmentReader reader = new ResolvedFragmentReader(new io.spanscope.spans.resolve.FragmentResolutionListener() {
            @Override
            public void onResolved(Fragment f, io.spanscope.spans.resolve.TraceKey trace, long rootParentSpanId,
                                   KnownSpan caller) {
                traces.add(trace.low());
            }
        });
        assertThat(reader.read(old)).isEqualTo(1);
        assertThat(traces).containsExactly(2L);
        assertThat(reader.read(new byte[] {1, 2, 3})).isZero();
        assertThat(reader.unreadable()).isEqualTo(1);
    }
}

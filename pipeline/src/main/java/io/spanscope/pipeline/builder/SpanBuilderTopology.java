package io.spanscope.pipeline.builder;

import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The span builder's Kafka Streams topology:
 * <pre>
 * fragments ──┐                                   ┌──► known-spans (announcements, back into the resolver)
 *             ├──► resolver (FragmentResolverProcessor) ─┤
 * known-spans ┘     stores: known-spans, waiting-fragments,   └──► resolved-fragments (to the exporter)
 *                   seen-fragments (in memory, changelogged); commit-hook
 * </pre>
 * The two inputs must have the same partition count (the default partitioner then sends a fragment and
 * the announcement of the span it waits for to one task). Stores are in-memory hash maps (bounded by the
 * settings; the resolver never reads them in key order) and restored from their changelogs when a task moves.
 * known-spans and seen-fragments hold batches ({@link SpanBatchStore}: one changelog record per announcement
 * record read or per commit); the commit hook lets the resolver send what it gathered before each commit.
 */
public final class SpanBuilderTopology {

    static final String KNOWN_SPANS_STORE = "known-spans";
    static final String WAITING_STORE = "waiting-fragments";
    static final String SEEN_STORE = "seen-fragments";
    static final String COMMIT_HOOK_STORE = "commit-hook";
    private static final String RESOLVER = "resolver";

    private SpanBuilderTopology() {
    }

    /** @param partitions partition count of the fragments and known-spans topics */
    public static Topology build(SpanBuilderSettings settings, ResolverStatsRegistry registry, int partitions) {
        return build(settings, registry, partitions, settings.knownSpansTopic());
    }

    /**
     * With announcements written to {@code announcementsOutTopic} instead of back to the known-spans topic:
     * lets a test route them between several single-partition drivers as the partitioner would.
     */
    static Topology build(SpanBuilderSettings settings, ResolverStatsRegistry registry, int partitions,
                          String announcementsOutTopic) {
        Topology topology = new Topology();
        topology.addSource("fragments", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                settings.fragmentsTopic());
        topology.addSource("known-spans-in", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                settings.knownSpansTopic());
        topology.addProcessor(RESOLVER, () -> new FragmentResolverProcessor(settings, registry, partitions),
                "fragments", "known-spans-in");
        topology.addStateStore(store(SpanBatchStore.supplier(KNOWN_SPANS_STORE)), RESOLVER);
        topology.addStateStore(store(HashKeyValueStore.supplier(WAITING_STORE)), RESOLVER);
        topology.addStateStore(store(SpanBatchStore.supplier(SEEN_STORE)), RESOLVER);
        topology.addStateStore(CommitHookStore.builder(COMMIT_HOOK_STORE), RESOLVER);
        topology.addSink(FragmentResolverProcessor.KNOWN_SPANS_OUT, announcementsOutTopic,
                new ByteArraySerializer(), new ByteArraySerializer(), RESOLVER);
        topology.addSink(FragmentResolverProcessor.RESOLVED_OUT, settings.resolvedTopic(),
                new ByteArraySerializer(), new ByteArraySerializer(), RESOLVER);
        return topology;
    }

    private static StoreBuilder<KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>> store(
            KeyValueBytesStoreSupplier supplier) {
        return Stores.keyValueStoreBuilder(supplier, Serdes.Bytes(), Serdes.ByteArray())
                .withCachingDisabled()
                .withLoggingEnabled(Map.of());
    }
}

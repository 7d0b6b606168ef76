package io.spanscope.pipeline.builder;

import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The span builder's Kafka Streams topology:
 * <pre>
 * fragments ──┐                                   ┌──► known-spans (announcements, back into the resolver)
 *             ├──► resolver (FragmentResolverProcessor) ─┤
 * known-spans ┘     stores: known-spans, waiting-fragments,   └──► resolved-fragments (to the exporter)
 *                   seen-fragments (in memory, changelogged)
 * </pre>
 * The two inputs must have the same partition count (the default partitioner then sends a fragment and
 * the announcement of the span it waits for to one task). Stores are in-memory hash maps (bounded by the
 * settings; the resolver never reads them in key order) and restored from their changelogs when a task moves.
 */
public final class SpanBuilderTopology {

    static final String KNOWN_SPANS_STORE = "known-spans";
    static final String WAITING_STORE = "waiting-fragments";
    static final String SEEN_STORE = "seen-fragments";
    private static final String RESOLVER = "resolver";

    private SpanBuilderTopology() {
    }

    public static Topology build(SpanBuilderSettings settings, ResolverStatsRegistry registry) {
        return build(settings, registry, settings.knownSpansTopic());
    }

    /**
     * With announcements written to {@code announcementsOutTopic} instead of back to the known-spans topic:
     * lets a test route them between several single-partition drivers as the partitioner would.
     */
    static Topology build(SpanBuilderSettings settings, ResolverStatsRegistry registry, String announcementsOutTopic) {
        Topology topology = new Topology();
        topology.addSource("fragments", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                settings.fragmentsTopic());
        topology.addSource("known-spans-in", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                settings.knownSpansTopic());
        topology.addProcessor(RESOLVER, () -> new FragmentResolverProcessor(settings, registry),
                "fragments", "known-spans-in");
        topology.addStateStore(store(KNOWN_SPANS_STORE), RESOLVER);
        topology.addStateStore(store(WAITING_STORE), RESOLVER);
        topology.addStateStore(store(SEEN_STORE), RESOLVER);
        topology.addSink(FragmentResolverProcessor.KNOWN_SPANS_OUT, announcementsOutTopic,
                new ByteArraySerializer(), new ByteArraySerializer(), RESOLVER);
        topology.addSink(FragmentResolverProcessor.RESOLVED_OUT, settings.resolvedTopic(),
                new ByteArraySerializer(), new ByteArraySerializer(), RESOLVER);
        return topology;
    }

    private static StoreBuilder<KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>> store(String name) {
        return Stores.keyValueStoreBuilder(HashKeyValueStore.supplier(name), Serdes.Bytes(), Serdes.ByteArray())
                .withCachingDisabled()
                .withLoggingEnabled(Map.of());
    }
}

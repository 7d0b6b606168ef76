package io.spanscope.pipeline.builder;

import io.spanscope.pipeline.wire.FragmentEncoder;
import io.spanscope.pipeline.wire.FragmentKeys;
import io.spanscope.spans.CapturedSpanData;
import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.resolve.KnownSpan;
import io.spanscope.spans.resolve.ResolvedSpanListener;
import io.spanscope.spans.resolve.ResolvedSpans;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The span builder topology as N partition tasks: one {@link TopologyTestDriver} per partition, fragments
 * and announcements routed between them by the default partitioner's function of the 8-byte key, as the
 * producer would. Announcements go out on a separate topic so that this class, not the driver, delivers
 * them — to the task that owns them. Wall-clock time is advanced on all tasks together.
 */
final class PartitionedDrivers implements AutoCloseable {

    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final String ANNOUNCEMENTS_OUT = "test.announcements-out";

    private final SpanBuilderSettings settings;
    private final ResolverStatsRegistry registry = new ResolverStatsRegistry();
    private final List<TopologyTestDriver> drivers = new ArrayList<>();
    private final List<TestInputTopic<byte[], byte[]>> fragmentsIn = new ArrayList<>();
    private final List<TestInputTopic<byte[], byte[]>> announcementsIn = new ArrayList<>();
    private final List<TestOutputTopic<byte[], byte[]>> announcementsOut = new ArrayList<>();
    private final List<TestOutputTopic<byte[], byte[]>> resolvedOut = new ArrayList<>();
    private final List<java.util.Map<String, TestOutputTopic<byte[], byte[]>>> changelogs = new ArrayList<>();
    private final FragmentEncoder encoder = new FragmentEncoder("agent-test");
    final List<CapturedSpanData> spans = new ArrayList<>();
    final List<String> edges = new ArrayList<>();
    /** Records the tasks sent to the known-spans and resolved topics. */
    long announcementRecords;
    long resolvedRecords;
    private final ResolvedFragmentReader reader = new ResolvedFragmentReader(new ResolvedSpans(
            new ResolvedSpanListener() {
                @Override
                public void onSpan(CapturedSpanData span) {
                    spans.add(span);
                }

                @Override
                public void onEdge(KnownSpan client, ExchangeSpan server) {
                    edges.add(client.serviceName() + "->" + server.service().serviceName());
                }
            }));

    PartitionedDrivers(int partitions, SpanBuilderSettings settings) {
        this.settings = settings;
        for (int p = 0; p < partitions; p++) {
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "span-builder-test");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/sb-ttd-" + p
                    + "-" + System.nanoTime());
            TopologyTestDriver driver = new TopologyTestDriver(
                    SpanBuilderTopology.build(settings, registry, partitions, ANNOUNCEMENTS_OUT), props, START);
            drivers.add(driver);
            fragmentsIn.add(driver.createInputTopic(settings.fragmentsTopic(), new ByteArraySerializer(),
                    new ByteArraySerializer()));
            announcementsIn.add(driver.createInputTopic(settings.knownSpansTopic(), new ByteArraySerializer(),
                    new ByteArraySerializer()));
            announcementsOut.add(driver.createOutputTopic(ANNOUNCEMENTS_OUT, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer()));
            resolvedOut.add(driver.createOutputTopic(settings.resolvedTopic(), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer()));
            java.util.Map<String, TestOutputTopic<byte[], byte[]>> logs = new java.util.HashMap<>();
            for (String store : List.of(SpanBuilderTopology.KNOWN_SPANS_STORE, SpanBuilderTopology.SEEN_STORE,
                    SpanBuilderTopology.WAITING_STORE)) {
                logs.put(store, driver.createOutputTopic("span-builder-test-" + store + "-changelog",
                        new ByteArrayDeserializer(), new ByteArrayDeserializer()));
            }
            changelogs.add(logs);
        }
    }

    /** Publishes a fragment as an agent does (keyed by the span it waits for) and lets everything settle. */
    void publish(Fragment fragment) {
        publishRaw(FragmentKeys.key(fragment), encoder.encode(fragment, 1));
    }

    void publishRaw(byte[] key, byte[] value) {
        fragmentsIn.get(partitionOf(key)).pipeInput(key, value);
        settle();
    }

    /** Writes a record straight to the known-spans topic, as another span builder (or a bad one) could. */
    void announceRaw(byte[] key, byte[] value) {
        announcementsIn.get(partitionOf(key)).pipeInput(key, value);
        settle();
    }

    /**
     * Advances every task's wall clock tick by tick, as a running stream thread does: the punctuators run
     * at each tick and the announcements (and the tasks' input probes) settle in between.
     */
    void advance(Duration d) {
        for (Duration left = d; !left.isZero(); ) {
            Duration step = left.compareTo(settings.tickInterval()) < 0 ? left : settings.tickInterval();
            drivers.forEach(driver -> driver.advanceWallClockTime(step));
            settle();
            left = left.minus(step);
        }
    }

    /** Publishes a fragment, but what the tasks send to the known-spans topic stays undelivered for now. */
    void publishHeld(Fragment fragment) {
        byte[] key = FragmentKeys.key(fragment);
        fragmentsIn.get(partitionOf(key)).pipeInput(key, encoder.encode(fragment, 1));
    }

    /**
     * The broker is down for {@code d} while the stream thread keeps running: the punctuators run tick by
     * tick, but nothing the tasks send reaches the known-spans topic until the end, when it all arrives.
     */
    void outageWithTicks(Duration d) {
        for (Duration left = d; !left.isZero(); ) {
            Duration step = left.compareTo(settings.tickInterval()) < 0 ? left : settings.tickInterval();
            drivers.forEach(driver -> driver.advanceWallClockTime(step));
            left = left.minus(step);
        }
        settle();
    }

    /**
     * The stream thread is blocked for {@code d} (a commit waiting for a broker that is down): no punctuation
     * meanwhile; afterwards the punctuators run once, then what the tasks sent before arrives.
     */
    void stalled(Duration d) {
        drivers.forEach(driver -> driver.advanceWallClockTime(d));
        settle();
    }

    /** Records written to a store's changelog so far, over all tasks. */
    long changelogRecords(String store) {
        return changelogs.stream().mapToLong(logs -> logs.get(store).getQueueSize()).sum();
    }

    /** The tasks' counters, as published by their next punctuation (one tick from now). */
    ResolverCounters counters() {
        advance(settings.tickInterval());
        return registry.total();
    }

    private void settle() {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (int p = 0; p < drivers.size(); p++) {
                for (TestRecord<byte[], byte[]> r : resolvedOut.get(p).readRecordsToList()) {
                    reader.read(r.value());
                    resolvedRecords++;
                    if (reader.unreadable() > 0) {
                        throw new AssertionError("unreadable resolved record");
                    }
                }
                for (TestRecord<byte[], byte[]> a : announcementsOut.get(p).readRecordsToList()) {
                    announcementRecords++;
                    announcementsIn.get(partitionOf(a.key())).pipeInput(a.key(), a.value());
                    moved = true;
                }
            }
        }
    }

    private int partitionOf(byte[] key) {
        return Utils.toPositive(Utils.murmur2(key)) % drivers.size();
    }

    @Override
    public void close() {
        drivers.forEach(TopologyTestDriver::close);
    }
}

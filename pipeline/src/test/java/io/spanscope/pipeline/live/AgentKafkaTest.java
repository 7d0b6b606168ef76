package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.live.LiveCapture;
import io.spanscope.pipeline.agent.AgentRun;
import io.spanscope.pipeline.agent.PublisherStats;
import io.spanscope.pipeline.config.AgentConfig;
import io.spanscope.pipeline.config.KafkaConfig;
import io.spanscope.pipeline.wire.FragmentDecoder;
import io.spanscope.pipeline.wire.FragmentKeys;
import io.spanscope.pipeline.wire.proto.Heartbeat;
import io.spanscope.spans.link.Fragment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spanscope agent} against a real broker: a Python service traced by live capture, its requests
 * made by loadgen.py, the fragments read back by a plain KafkaConsumer. Each request is two exchanges
 * seen from two processes (loadgen's call, the service's answer), so two fragments.
 */
@Tag("live")
class AgentKafkaTest {

    private static final String FRAGMENTS = "spanscope.fragments";
    private static final String HEARTBEATS = "spanscope.agent-heartbeats";

    @TempDir
    Path work;

    private KafkaBroker kafka;
    private CatalogService service;

    @BeforeEach
    void start() throws Exception {
        kafka = KafkaBroker.start(work, 3);
        kafka.createTopics(3, FRAGMENTS, HEARTBEATS);
        service = CatalogService.start(work);
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everyExchangeArrivesOnceKeyedByTheSpanItWaitsFor() throws Exception {
        int requests = 50;
        AgentRun agent = agent(AgentConfig.builder().bufferBytes(16L << 20)).start();
        try {
            load(1, requests);
            assertThat(agent.awaitCaptureDrained(Duration.ofSeconds(10))).isTrue();
        } finally {
            agent.close();
        }

        List<ConsumerRecord<byte[], byte[]>> records = readAll(FRAGMENTS, 2 * requests);
        FragmentDecoder decoder = new FragmentDecoder();
        List<Fragment> fragments = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            FragmentDecoder.Decoded d = decoder.decode(r.value());
            assertThat(d.agentId()).isEqualTo("agent-under-test");
            assertThat(FragmentKeys.spanIdOf(r.key())).isEqualTo(FragmentKeys.keySpanId(d.fragment()));
            fragments.add(d.fragment());
        }
        assertThat(fragments).hasSize(2 * requests);
        assertThat(fragments.stream().map(f -> f.root().spanId()).distinct()).hasSize(2 * requests);
        List<Fragment> served = fragments.stream().filter(f -> f.root().isServer()).toList();
        Set<Long> calls = new HashSet<>(fragments.stream().filter(f -> !f.root().isServer())
                .map(f -> f.root().spanId()).toList());
        assertThat(served).hasSize(requests).allSatisfy(f -> {
            assertThat(f.rootParentIsRemote()).isTrue();
            assertThat(calls).contains(f.rootParentSpanId());
            assertThat(f.root().service().serviceName()).isEqualTo("catalog");
            assertThat(f.root().name()).isEqualTo("GET /api/items/{id}");
        });

        PublisherStats stats = agent.publisherStats();
        assertThat(stats.recordsIn()).isEqualTo(2L * requests);
        assertThat(stats.sentRecords()).isEqualTo(2L * requests);
        assertThat(stats.droppedRecords() + stats.failedRecords() + stats.encodeFailures()).isZero();

        List<ConsumerRecord<byte[], byte[]>> beats = readAll(HEARTBEATS, 2);
        Heartbeat last = Heartbeat.parseFrom(beats.get(beats.size() - 1).value());
        assertThat(new String(beats.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("agent-under-test");
        assertThat(last.getPublishQueue().getSentRecords()).isEqualTo(2L * requests);
        assertThat(last.getCountersList()).anySatisfy(c -> assertThat(c.getName()).startsWith("spanscope_capture_"));
        assertThat(last.getCountersList()).anySatisfy(c -> assertThat(c.getName()).startsWith("spanscope_capture_handoff_"));
    }

    @Test
    void anAgentStartedWhileKafkaIsDownPublishesOnceItIsUp() throws Exception {
        kafka.stop();
        AgentRun agent = agent(AgentConfig.builder().bufferBytes(16L << 20)).start();
        try {
            load(1, 10);
            assertThat(agent.awaitCaptureDrained(Duration.ofSeconds(10))).isTrue();
            Thread.sleep(15_000);  // longer than the producer's max.block.ms
            assertThat(agent.publisherStats().failedRecords()).isZero();
            kafka.start();
            await(() -> agent.publisherStats().sentRecords() == 20, "the 20 fragments acknowledged after the start");
        } finally {
            agent.close();
        }
        assertThat(agent.publisherStats().droppedRecords() + agent.publisherStats().failedRecords()).isZero();
        assertThat(rootSpanIds(readAll(FRAGMENTS, 20))).hasSize(20);
    }

    @Test
    void aThirtySecondBrokerOutageLosesNothingWithinTheBuffer() throws Exception {
        AgentRun agent = agent(AgentConfig.builder().bufferBytes(16L << 20)).start();
        try {
            load(1, 10);
            await(() -> agent.publisherStats().sentRecords() == 20, "the first 20 fragments acknowledged");
            kafka.stop();
            long outageStart = System.nanoTime();
            load(101, 40);
            Thread.sleep(Math.max(0, 30_000 - (System.nanoTime() - outageStart) / 1_000_000));
            PublisherStats during = agent.publisherStats();
            assertThat(during.sentRecords()).isEqualTo(20);
            assertThat(during.queuedRecords() + during.inFlightRecords()).isEqualTo(80);
            kafka.start();
            await(() -> agent.publisherStats().sentRecords() == 100, "all 100 fragments acknowledged after the restart");
        } finally {
            agent.close();
        }
        PublisherStats stats = agent.publisherStats();
        assertThat(stats.droppedRecords() + stats.failedRecords()).isZero();
        List<ConsumerRecord<byte[], byte[]>> records = readAll(FRAGMENTS, 100);
        assertThat(records).hasSize(100);
        assertThat(rootSpanIds(records)).hasSize(100);
    }

    @Test
    void withASmallBufferTheDropsAreExactlyWhatNeverArrived() throws Exception {
        // 16 KiB queue and at most 12 KiB with the producer: a few dozen fragments survive the outage
        AgentRun agent = agent(AgentConfig.builder().bufferBytes(16 * 1024).producerMemory(16 * 1024)
                .batchSize(4 * 1024)).start();
        int requests;
        try {
            load(1, 10);
            await(() -> agent.publisherStats().sentRecords() == 20, "the first 20 fragments acknowledged");
            kafka.stop();
            long outageStart = System.nanoTime();
            load(101, 300);
            requests = 310;
            Thread.sleep(Math.max(0, 30_000 - (System.nanoTime() - outageStart) / 1_000_000));
            assertThat(agent.awaitCaptureDrained(Duration.ofSeconds(10))).isTrue();
            kafka.start();
            await(() -> {
                PublisherStats s = agent.publisherStats();
                return s.queuedRecords() == 0 && s.inFlightRecords() == 0 && s.recordsIn() == 2L * 310;
            }, "the queue emptied after the restart");
        } finally {
            agent.close();
        }
        PublisherStats stats = agent.publisherStats();
        List<ConsumerRecord<byte[], byte[]>> records = readAll(FRAGMENTS, (int) stats.sentRecords());
        long consumed = rootSpanIds(records).size();

        assertThat(records).hasSize((int) consumed);                   // no duplicates
        assertThat(stats.recordsIn()).isEqualTo(2L * requests);        // every exchange was a fragment
        assertThat(stats.droppedRecords()).isPositive();
        assertThat(consumed).isEqualTo(stats.sentRecords());
        assertThat(stats.droppedRecords() + stats.failedRecords()).isEqualTo(stats.recordsIn() - consumed);
    }

    private AgentRun.Builder agent(AgentConfig.Builder config) {
        AgentConfig c = config.agentId("agent-under-test")
                .kafka(KafkaConfig.builder().bootstrapServers(kafka.bootstrapServers()).clientId("agent-test").build())
                .heartbeatInterval(Duration.ofSeconds(1))
                .linger(Duration.ofMillis(5))
                .build();
        return AgentRun.builder(LiveCapture.builder().allowPorts(List.of(service.port())), c)
                .shutdownTimeout(Duration.ofSeconds(30));
    }

    private void load(int first, int count) throws Exception {
        service.load(first, count);
    }

    private static Set<Long> rootSpanIds(List<ConsumerRecord<byte[], byte[]>> records) {
        FragmentDecoder decoder = new FragmentDecoder();
        Set<Long> ids = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            ids.add(decoder.decode(r.value()).fragment().root().spanId());
        }
        return ids;
    }

    /** Everything in the topic: at least {@code expected} records, then 3 s more to catch any extra. */
    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers(),
                "enable.auto.commit", "false"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                if (records.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                }
            }
        }
        return records;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        CatalogService.await(condition, Duration.ofSeconds(90), what);
    }
}

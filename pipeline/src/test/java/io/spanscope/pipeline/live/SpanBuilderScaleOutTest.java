package io.spanscope.pipeline.live;

import static io.spanscope.pipeline.wire.WireFragments.client;
import static io.spanscope.pipeline.wire.WireFragments.server;
import static io.spanscope.pipeline.wire.WireFragments.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.pipeline.builder.SpanBuilderService;
import io.spanscope.pipeline.wire.FragmentEncoder;
import io.spanscope.pipeline.wire.FragmentKeys;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.service.ServiceIdentity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two span-builder instances in one group on a 4-partition fragments topic, one of them in its own JVM and
 * killed with SIGKILL mid-run, against one instance alone over the same fragments: every span of the single
 * run comes out of the pair with the same trace and parent, none is missing, and a span exported twice
 * (the killed instance's last uncommitted poll, read again by the survivor) is an identical copy.
 */
@Tag("live")
class SpanBuilderScaleOutTest {

    private static final int REQUESTS = 2_000;
    private static final int SPANS_PER_REQUEST = 6;

    @TempDir
    Path dir;

    private final ServiceIdentity loadgen = service("loadgen", 1);
    private final ServiceIdentity frontend = service("frontend", 2);
    private final ServiceIdentity backend = service("backend", 3);
    private final ServiceIdentity db = service("db", 4);

    /** The four fragments of request {@code i}: loadgen → frontend → backend → db. */
    private List<Fragment> request(int i) {
        long base = (long) (i + 1) << 8;
        return List.of(
                Fragment.of(client(base + 1, loadgen, false), List.of()),
                Fragment.of(server(base + 2, base + 1, frontend), List.of(client(base + 3, frontend, false))),
                Fragment.of(server(base + 4, base + 3, backend), List.of(client(base + 5, backend, i % 7 == 0))),
                Fragment.of(server(base + 6, base + 5, db), List.of()));
    }

    /** Requests [from, to), their fragments shuffled in blocks of 50 requests: every arrival order occurs. */
    private void publish(KafkaProducer<byte[], byte[]> producer, int from, int to, Random random) throws Exception {
        FragmentEncoder encoder = new FragmentEncoder("agent-test");
        for (int block = from; block < to; block += 50) {
            List<Fragment> fragments = new ArrayList<>();
            for (int i = block; i < Math.min(to, block + 50); i++) {
                fragments.addAll(request(i));
            }
            Collections.shuffle(fragments, random);
            for (Fragment f : fragments) {
                producer.send(new ProducerRecord<>("spanscope.fragments", FragmentKeys.key(f),
                        encoder.encode(f, System.currentTimeMillis() * 1_000_000L)));
            }
        }
        producer.flush();
    }

    @Test
    void twoInstancesOneKilledMidRunGiveExactlyTheSpansOfOne() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start(dir, 4)) {
            kafka.createTopics(4, "spanscope.fragments");
            Random random = new Random(42);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                    kafka.bootstrapServers(), "acks", "all", "enable.idempotence", true),
                    new ByteArraySerializer(), new ByteArraySerializer())) {

                // the pair: A in this JVM, B in its own, killed once it has exported part of the first half
                Path bSpans = dir.resolve("b-spans.txt");
                Process b = SpanBuilderProcess.launch(kafka.bootstrapServers(), "pair", dir.resolve("state-b"),
                        bSpans, dir.resolve("b.log"));
                RecordingSpanExporter aExporter = new RecordingSpanExporter(null);
                List<String> pairLines;
                List<String> bLines;
                try (SpanBuilderService a = SpanBuilderService.start(
                        SpanBuilderProcess.config(kafka.bootstrapServers(), "pair", dir.resolve("state-a")),
                        aExporter, Duration.ofSeconds(5), SpanBuilderProcess.FAST_FAILOVER)) {
                    // both in both groups before any input: otherwise A, warm and in this JVM, may resolve and
                    // export the whole first half before B's JVM has joined, and B never exports anything
                    kafka.awaitGroupMembers("pair", 2, Duration.ofSeconds(120));
                    kafka.awaitGroupMembers("pair-export", 2, Duration.ofSeconds(120));
                    publish(producer, 0, REQUESTS / 2, random);
                    await("B exports spans", () -> RecordingSpanExporter.read(bSpans).size() >= 300, b, dir);
                    b.destroyForcibly(); // SIGKILL
                    assertThat(b.waitFor(30, TimeUnit.SECONDS)).isTrue();
                    bLines = RecordingSpanExporter.read(bSpans);
                    publish(producer, REQUESTS / 2, REQUESTS, random);
                    await("the pair exports every span", () -> distinct(aExporter.lines(), bLines)
                            >= REQUESTS * SPANS_PER_REQUEST, null, dir);
                    Thread.sleep(2_000); // anything exported twice has arrived too
                    pairLines = new ArrayList<>(aExporter.lines());
                    assertThat(a.resolverCounters().timedOutRoots()).isZero();
                }
                pairLines.addAll(bLines);

                // one instance alone, over the same fragments
                RecordingSpanExporter singleExporter = new RecordingSpanExporter(null);
                try (SpanBuilderService single = SpanBuilderService.start(
                        SpanBuilderProcess.config(kafka.bootstrapServers(), "single", dir.resolve("state-single")),
                        singleExporter, Duration.ofSeconds(5), SpanBuilderProcess.FAST_FAILOVER)) {
                    await("the single instance exports every span", () -> singleExporter.lines().size()
                            >= REQUESTS * SPANS_PER_REQUEST, null, dir);
                    Thread.sleep(1_000);
                    assertThat(single.resolverCounters().duplicateFragments()).isZero();
                    assertThat(single.resolverCounters().timedOutRoots()).isZero();
                }
                List<String> singleLines = singleExporter.lines();

                assertThat(singleLines).hasSize(REQUESTS * SPANS_PER_REQUEST).doesNotHaveDuplicates();
                Map<String, String> single = bySpan(singleLines);
                assertThat(single.values().stream().map(v -> v.split(" ")[0]).distinct().count())
                        .as("one trace per request").isEqualTo(REQUESTS);
                Map<String, String> pair = bySpan(pairLines);
                assertThat(pair).isEqualTo(single);
                assertThat(new HashSet<>(pairLines)).as("copies exported twice are identical")
                        .hasSize(REQUESTS * SPANS_PER_REQUEST);
                System.out.printf("pair: %d spans exported, %d of them twice (B's last uncommitted poll); "
                        + "B exported %d before SIGKILL%n", pairLines.size(),
                        pairLines.size() - REQUESTS * SPANS_PER_REQUEST, bLines.size());
            }
        }
    }

    /** span id → "trace parent"; a span id with two different values fails. */
    private static Map<String, String> bySpan(List<String> lines) {
        Map<String, String> out = new HashMap<>();
        for (String line : lines) {
            int sp = line.indexOf(' ');
            String previous = out.put(line.substring(0, sp), line.substring(sp + 1));
            assertThat(previous == null || previous.equals(line.substring(sp + 1)))
                    .as("span %s exported with two different traces or parents", line.substring(0, sp)).isTrue();
        }
        return out;
    }

    private static int distinct(List<String> a, List<String> b) {
        Set<String> ids = new HashSet<>();
        a.forEach(l -> ids.add(l.substring(0, l.indexOf(' '))));
        b.forEach(l -> ids.add(l.substring(0, l.indexOf(' '))));
        return ids.size();
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(String what, Check check, Process child, Path dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!check.ok()) {
            if (child != null && !child.isAlive()) {
                throw new AssertionError(what + ": the child span builder exited; log:\n"
                        + String.join("\n", RecordingSpanExporter.read(dir.resolve("b.log"))));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within 180 s");
            }
            Thread.sleep(200);
        }
    }
}

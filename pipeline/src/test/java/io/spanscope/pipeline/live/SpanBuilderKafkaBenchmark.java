package io.spanscope.pipeline.live;

import static io.spanscope.pipeline.wire.WireFragments.client;
import static io.spanscope.pipeline.wire.WireFragments.server;
import static io.spanscope.pipeline.wire.WireFragments.service;

import com.sun.management.OperatingSystemMXBean;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.spanscope.pipeline.builder.SpanBuilderConfig;
import io.spanscope.pipeline.builder.SpanBuilderService;
import io.spanscope.pipeline.wire.FragmentEncoder;
import io.spanscope.pipeline.wire.FragmentKeys;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.service.ServiceIdentity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Span builder throughput from Kafka to exported spans, with a real broker (scripts/kafka.sh): the
 * fragments of N request chains (loadgen → frontend → backend → db, 6 spans, 4 fragments, shuffled in
 * blocks of 50 requests) are published to a 4-partition topic first; then one instance, and then two
 * instances in one group (each with one stream thread, in this JVM), read them all and export every span
 * through {@code TraceRequestMarshaler} into memory (the OTLP exporter's work minus the network). Reported:
 * spans/s between the first and the last exported span, and spans per CPU-second of this process over the
 * same interval (the broker runs in its own process and is not counted); then the same from the moment a
 * third of the spans was exported (steady state: the JIT's compilation is most of the CPU before), each
 * with the CPU by thread kind (JIT, GC, Streams, producer I/O, exporter consumer, OTLP export) from /proc.
 *
 * <pre>
 * mvn -q -o -pl pipeline -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/p-cp.txt -Dmdep.includeScope=test
 * java -cp pipeline/target/test-classes:pipeline/target/classes:$(cat /tmp/p-cp.txt) \
 *     io.spanscope.pipeline.live.SpanBuilderKafkaBenchmark [requests] [instances,instances…]
 * </pre>
 * Pre-published input is a backlog read as fast as the builder goes: fragments then run far ahead of the
 * announcements that release them (hundreds of thousands wait at once) and nothing expires (retention 300 s).
 * {@code -Dbench.rate=R} publishes R requests per second from another JVM during the first run instead (live
 * flow), and {@code -Dbench.retention=D} makes the stores turn over at their retention size.
 */
public final class SpanBuilderKafkaBenchmark {

    /**
     * Share of the spans exported before the steady-state clock starts: by then the JIT has compiled the
     * hot paths (in a short run, compilation is half the process's CPU).
     */
    private static final double STEADY_AFTER = 1.0 / 3;

    /** Extra Streams / client properties to compare tunings, from -Dbench.props=k=v,k=v. */
    private static final Map<String, Object> OVERRIDES = parse(System.getProperty("bench.props", ""));

    private static Map<String, Object> parse(String text) {
        Map<String, Object> out = new java.util.HashMap<>();
        for (String kv : text.split(",")) {
            if (kv.contains("=")) {
                out.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        return out;
    }

    private SpanBuilderKafkaBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("--publish")) {
            publish(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            return;
        }
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int[] instanceCounts = args.length > 1 ? java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt)
                .toArray() : new int[] {1, 2};
        long spans = requests * 6L;
        Path dir = Files.createTempDirectory("sb-bench");
        try (KafkaBroker kafka = KafkaBroker.start(dir, 4)) {
            runAll(kafka, requests, instanceCounts, spans, dir);
        } finally {
            TempTree.delete(dir); // the broker's logs and the stores' state: gigabytes per run
        }
    }

    private static void runAll(KafkaBroker kafka, int requests, int[] instanceCounts, long spans, Path dir)
            throws Exception {
        kafka.createTopics(4, "spanscope.fragments");
        int rate = Integer.getInteger("bench.rate", 0);
        if (rate > 0) {
            // live flow instead of a backlog: another JVM publishes while the first run reads (its CPU is not
            // this process's); later runs find the input published
            Process publisher = launchPublisher(kafka.bootstrapServers(), requests, rate);
            System.out.printf("publishing %d fragments (%d spans) at %d requests/s%n", requests * 4L, spans, rate);
            run(kafka.bootstrapServers(), dir, instanceCounts[0], spans);
            if (publisher.waitFor() != 0) {
                throw new IllegalStateException("publisher failed");
            }
            instanceCounts = java.util.Arrays.copyOfRange(instanceCounts, 1, instanceCounts.length);
        } else {
            publish(kafka.bootstrapServers(), requests, 0);
            System.out.printf("published %d fragments (%d spans)%n", requests * 4L, spans);
        }
        for (int instances : instanceCounts) {
            run(kafka.bootstrapServers(), dir, instances, spans);
        }
    }

    private static void run(String bootstrap, Path dir, int instances, long spans) throws Exception {
        String app = "bench-" + instances;
        List<SpanBuilderService> running = new ArrayList<>();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try {
            for (int i = 0; i < instances; i++) {
                running.add(SpanBuilderService.start(withRetention(
                        SpanBuilderProcess.config(bootstrap, app, dir.resolve(app + "-" + i))),
                        new MarshalingExporter(), Duration.ofSeconds(5), OVERRIDES));
            }
            Mark first = null;
            Mark steady = null;
            long exported = 0;
            long maxWaiting = 0;
            long maxKnown = 0;
            // with -Dbench.windows=N: CPU per span in each Nth of the spans, to see it change as the stores fill
            int windows = Integer.getInteger("bench.windows", 0);
            List<Mark> windowMarks = new ArrayList<>();
            List<String> windowStores = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (exported < spans && System.nanoTime() < deadline) {
                Thread.sleep(20);
                exported = running.stream().mapToLong(s -> s.exportQueue().stats().exported()).sum();
                // store sizes as the tasks last published them (each punctuation)
                maxWaiting = Math.max(maxWaiting, running.stream().mapToLong(s -> s.resolverCounters().waiting()).sum());
                maxKnown = Math.max(maxKnown, running.stream().mapToLong(s -> s.resolverCounters().knownSpans()).sum());
                if (first == null && exported > 0) {
                    first = Mark.now(os, exported);
                }
                if (steady == null && exported > spans * STEADY_AFTER) {
                    steady = Mark.now(os, exported);
                }
                if (windows > 0 && exported >= spans * windowMarks.size() / windows && windowMarks.size() <= windows) {
                    windowMarks.add(Mark.now(os, exported));
                    windowStores.add(running.stream().mapToLong(s -> s.resolverCounters().waiting()).sum() + " waiting, "
                            + running.stream().mapToLong(s -> s.resolverCounters().knownSpans()).sum() + " known");
                }
            }
            Mark last = Mark.now(os, exported);
            report(instances + " instance(s), from the first span", first, last);
            report(instances + " instance(s), steady (from a third)", steady, last);
            System.out.printf("  stores at most (all tasks): %d waiting fragments, %d known spans%n", maxWaiting, maxKnown);
            for (int i = 1; i < windowMarks.size(); i++) {
                report("  window " + i + " (stores at its end: " + windowStores.get(i) + ")", windowMarks.get(i - 1),
                        windowMarks.get(i));
            }
            for (SpanBuilderService s : running) {
                io.spanscope.pipeline.builder.ResolverCounters c = s.resolverCounters();
                // each fragment that waited costs a waiting-fragments changelog record when stored and when removed
                System.out.printf("  resolver: %d fragments, %d resolved at once, %d after a wait, %d timed out,"
                        + " %d duplicates, %d rooted for a full store, %d announced pending; at the end %d known spans,"
                        + " %d waiting, %d known spans and %d duplicate marks evicted%n", c.fragments(),
                        c.resolvedAtOnce(), c.resolvedAfterWait(), c.timedOutRoots(), c.duplicateFragments(),
                        c.stateFullRoots(), c.pendingAnnouncedFragments(), c.knownSpans(), c.waiting(),
                        c.evictedKnownSpans(), c.evictedSeenFragments());
            }
            if (Boolean.getBoolean("bench.threads")) {
                java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                Map<String, Long> byName = new java.util.TreeMap<>();
                for (long id : threads.getAllThreadIds()) {
                    java.lang.management.ThreadInfo info = threads.getThreadInfo(id);
                    if (info != null) {
                        byName.merge(info.getThreadName().replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "*"),
                                threads.getThreadCpuTime(id), Long::sum);
                    }
                }
                byName.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(12)
                        .forEach(e -> System.out.printf("  %-70s %6.2f s CPU%n", e.getKey(), e.getValue() / 1e9));
            }
        } finally {
            running.forEach(SpanBuilderService::close);
        }
    }

    /**
     * With {@code -Dbench.retention=D} (e.g. {@code 10s}), known spans and duplicate marks expire after D and the
     * parent wait is D / 2: the stores then turn over during the run, at their retention size (by default the
     * retention, 300 s, outlasts the run and the stores only grow).
     */
    private static SpanBuilderConfig withRetention(SpanBuilderConfig c) {
        String retention = System.getProperty("bench.retention");
        if (retention == null) {
            return c;
        }
        Duration d = Duration.parse("PT" + retention);
        return new SpanBuilderConfig(c.kafka(), c.applicationId(), c.topology().toBuilder().knownSpanRetention(d)
                .parentWait(d.dividedBy(2)).pendingAnnouncementDelay(d.dividedBy(10)).build(), c.partitions(),
                c.streamThreads(), c.stateDir(), c.exportQueueSpans(), c.httpAddress(), c.httpPort(), c.commitInterval());
    }

    /** What was exported by an instant, and the process's CPU time by then, in total and by thread kind. */
    private record Mark(long nanoTime, long cpuNs, Map<String, Long> cpuTicksByKind, long exported) {
        static Mark now(OperatingSystemMXBean os, long exported) {
            return new Mark(System.nanoTime(), os.getProcessCpuTime(), cpuByThreadKind(), exported);
        }
    }

    private static void report(String what, Mark from, Mark to) {
        if (from == null) {
            System.out.printf("%s: nothing exported%n", what);
            return;
        }
        long spans = to.exported - from.exported;
        double wall = (to.nanoTime - from.nanoTime) / 1e9;
        double cpu = (to.cpuNs - from.cpuNs) / 1e9;
        StringBuilder kinds = new StringBuilder();
        for (Map.Entry<String, Long> e : to.cpuTicksByKind.entrySet()) {
            long ticks = e.getValue() - from.cpuTicksByKind.getOrDefault(e.getKey(), 0L);
            kinds.append(String.format(" %s %.2f,", e.getKey(), ticks / 100.0));
        }
        System.out.printf("%s: %d spans in %.2f s wall, %.2f s CPU: %.0f spans/s, %.0f spans per CPU-second"
                + " (CPU s by thread:%s)%n", what, spans, wall, cpu, spans / wall, spans / cpu, kinds);
    }

    /**
     * CPU ticks (1/100 s) of this process's threads from /proc, grouped: GC workers, JIT compilers, Kafka
     * Streams, the producer's I/O thread, the exporter's consumer, the OTLP export thread, the rest. Includes the JVM's own threads, which ThreadMXBean does not list.
     */
    private static Map<String, Long> cpuByThreadKind() {
        Map<String, Long> out = new java.util.TreeMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return out;
        }
        for (java.io.File task : tasks) {
            try {
                String stat = Files.readString(task.toPath().resolve("stat"));
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                String kind = name.startsWith("GC ") || name.startsWith("G1 ") ? "gc"
                        : name.startsWith("C2 ") || name.startsWith("C1 ") ? "jit"
                        : name.startsWith("bench-") ? "streams" // "<app>-<uuid>-StreamThread-n", cut to 15 characters
                        : name.startsWith("kafka-produc") ? "producer-io"
                        : name.startsWith("spanscope-bu") ? "exporter-consumer"
                        : name.startsWith("spanscope-ex") ? "otlp-export"
                        : "other";
                out.merge(kind, ticks, Long::sum);
            } catch (IOException | RuntimeException e) {
                // a thread that ended meanwhile
            }
        }
        return out;
    }

    private static Process launchPublisher(String bootstrap, int requests, int rate) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), SpanBuilderKafkaBenchmark.class.getName(), "--publish",
                bootstrap, Integer.toString(requests), Integer.toString(rate));
        return new ProcessBuilder(command).inheritIO().start();
    }

    /** @param rate requests per second, 0: as fast as the producer goes */
    private static void publish(String bootstrap, int requests, int rate) {
        long startNs = System.nanoTime();
        ServiceIdentity loadgen = service("loadgen", 1);
        ServiceIdentity frontend = service("frontend", 2);
        ServiceIdentity backend = service("backend", 3);
        ServiceIdentity db = service("db", 4);
        FragmentEncoder encoder = new FragmentEncoder("bench");
        Random random = new Random(7);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
                "acks", "all", "enable.idempotence", true, "compression.type", "lz4", "linger.ms", 20,
                "batch.size", 262_144), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int block = 0; block < requests; block += 50) {
                if (rate > 0) {
                    long dueNs = startNs + block * 1_000_000_000L / rate;
                    while (System.nanoTime() < dueNs) {
                        java.util.concurrent.locks.LockSupport.parkNanos(dueNs - System.nanoTime());
                    }
                }
                List<Fragment> fragments = new ArrayList<>();
                for (int i = block; i < Math.min(requests, block + 50); i++) {
                    long base = (long) (i + 1) << 8;
                    fragments.add(Fragment.of(client(base + 1, loadgen, false), List.of()));
                    fragments.add(Fragment.of(server(base + 2, base + 1, frontend), List.of(client(base + 3, frontend, false))));
                    fragments.add(Fragment.of(server(base + 4, base + 3, backend), List.of(client(base + 5, backend, false))));
                    fragments.add(Fragment.of(server(base + 6, base + 5, db), List.of()));
                }
                Collections.shuffle(fragments, random);
                for (Fragment f : fragments) {
                    producer.send(new ProducerRecord<>("spanscope.fragments", FragmentKeys.key(f), encoder.encode(f, 1)));
                }
            }
            producer.flush();
        }
    }

    /** What the OTLP exporter does with a batch, minus the network: marshal it to protobuf bytes. */
    private static final class MarshalingExporter implements SpanExporter {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 20);

        @Override
        public synchronized CompletableResultCode export(Collection<SpanData> spans) {
            buffer.reset();
            try {
                TraceRequestMarshaler.create(spans).writeBinaryTo(buffer);
            } catch (IOException e) {
                return CompletableResultCode.ofFailure();
            }
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}

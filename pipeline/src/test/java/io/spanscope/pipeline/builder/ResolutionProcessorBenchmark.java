package io.spanscope.pipeline.builder;

import static io.spanscope.pipeline.wire.WireFragments.client;
import static io.spanscope.pipeline.wire.WireFragments.server;
import static io.spanscope.pipeline.wire.WireFragments.service;

import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.spanscope.pipeline.wire.FragmentEncoder;
import io.spanscope.pipeline.wire.FragmentKeys;
import io.spanscope.spans.CapturedSpanData;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.resolve.ResolvedSpans;
import io.spanscope.spans.service.ServiceIdentity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The span builder's own work per span, without Kafka clients and broker: one partition task's
 * {@link FragmentResolverProcessor} over in-memory stores (Streams' store layers, no changelog), its
 * announcements fed straight back as the known-spans topic would deliver them, and the exporter's side —
 * resolved records read, turned into spans, marshalled as an OTLP request per 512 spans. Input: request
 * chains of 4 fragments and 6 spans (loadgen → frontend → backend → db) shuffled per 50 requests,
 * pre-encoded; a commit (the processor's pre-commit flush) after every 100 requests' fragments. Scores are spans/s. What this leaves out — producing and consuming every announcement,
 * store changelog and resolved record through Kafka — is what {@code live.SpanBuilderKafkaBenchmark} adds.
 *
 * <pre>
 * mvn -q -o -pl pipeline -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/p-cp.txt -Dmdep.includeScope=test
 * java -cp pipeline/target/test-classes:pipeline/target/classes:$(cat /tmp/p-cp.txt) org.openjdk.jmh.Main ResolutionProcessorBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = "-Xmx1g")
@State(Scope.Thread)
public class ResolutionProcessorBenchmark {

    private static final int REQUESTS_PER_OP = 100;
    private static final int POOL_REQUESTS = 200_000;
    private static final SpanBuilderSettings SETTINGS = SpanBuilderSettings.builder().build();

    private final List<byte[][]> pool = new ArrayList<>();
    private final List<SpanData> batch = new ArrayList<>(512);
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 20);
    private final ResolvedFragmentReader reader = new ResolvedFragmentReader(new ResolvedSpans(this::export));
    private final ArrayDeque<Record<byte[], byte[]>> announcements = new ArrayDeque<>();
    private MockProcessorContext<byte[], byte[]> context;
    private FragmentResolverProcessor processor;
    private int cursor;
    private long offset;

    @Setup(Level.Trial)
    public void encode() {
        ServiceIdentity loadgen = service("loadgen", 1);
        ServiceIdentity frontend = service("frontend", 2);
        ServiceIdentity backend = service("backend", 3);
        ServiceIdentity db = service("db", 4);
        FragmentEncoder encoder = new FragmentEncoder("bench");
        Random random = new Random(1);
        for (int block = 0; block < POOL_REQUESTS; block += 50) {
            List<Fragment> fs = new ArrayList<>();
            for (int i = block; i < block + 50; i++) {
                long base = (long) (i + 1) << 8;
                fs.add(Fragment.of(client(base + 1, loadgen, false), List.of()));
                fs.add(Fragment.of(server(base + 2, base + 1, frontend), List.of(client(base + 3, frontend, false))));
                fs.add(Fragment.of(server(base + 4, base + 3, backend), List.of(client(base + 5, backend, false))));
                fs.add(Fragment.of(server(base + 6, base + 5, db), List.of()));
            }
            Collections.shuffle(fs, random);
            for (Fragment f : fs) {
                pool.add(new byte[][] {FragmentKeys.key(f), encoder.encode(f, 1)});
            }
        }
    }

    @Setup(Level.Iteration)
    public void newTask() throws IOException {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        context = new MockProcessorContext<>(props, new TaskId(0, 0), Files.createTempDirectory("sb-bench").toFile());
        for (KeyValueBytesStoreSupplier supplier : List.of(SpanBatchStore.supplier(SpanBuilderTopology.KNOWN_SPANS_STORE),
                HashKeyValueStore.supplier(SpanBuilderTopology.WAITING_STORE),
                SpanBatchStore.supplier(SpanBuilderTopology.SEEN_STORE))) {
            KeyValueStore<Bytes, byte[]> store = Stores.keyValueStoreBuilder(supplier,
                    Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled().build();
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
        CommitHookStore hook = CommitHookStore.builder(SpanBuilderTopology.COMMIT_HOOK_STORE).build();
        hook.init(context.getStateStoreContext(), hook);
        context.addStateStore(hook);
        context.setCurrentSystemTimeMs(System.currentTimeMillis());
        processor = new FragmentResolverProcessor(SETTINGS, new ResolverStatsRegistry(), 1);
        processor.init(context);
        cursor = 0;
    }

    @Benchmark
    @OperationsPerInvocation(REQUESTS_PER_OP * 6)
    public int resolveAndExport() throws IOException {
        if (cursor + REQUESTS_PER_OP * 4 > pool.size()) {
            newTask();
        }
        int spans = 0;
        for (int i = 0; i < REQUESTS_PER_OP * 4; i++) {
            byte[][] r = pool.get(cursor++);
            context.setRecordMetadata(SETTINGS.fragmentsTopic(), 0, offset++);
            processor.process(new Record<>(r[0], r[1], 0L));
        }
        // commits: what one sends is read back before the next, until nothing more is sent
        processor.flushForCommit();
        while (!context.forwarded().isEmpty()) {
            spans += drain();
            while (!announcements.isEmpty()) {
                context.setRecordMetadata(SETTINGS.knownSpansTopic(), 0, offset++);
                processor.process(announcements.pollFirst());
            }
            processor.flushForCommit();
        }
        return spans;
    }

    private int drain() {
        int spans = 0;
        for (MockProcessorContext.CapturedForward<? extends byte[], ? extends byte[]> f : context.forwarded()) {
            if (FragmentResolverProcessor.KNOWN_SPANS_OUT.equals(f.childName().orElse(""))) {
                announcements.addLast(new Record<>(f.record().key(), f.record().value(), 0L));
            } else {
                spans += reader.read(f.record().value());
            }
        }
        context.resetForwards();
        return spans;
    }

    private void export(CapturedSpanData span) {
        batch.add(span);
        if (batch.size() == 512) {
            buffer.reset();
            try {
                TraceRequestMarshaler.create(batch).writeBinaryTo(buffer);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            batch.clear();
        }
    }
}

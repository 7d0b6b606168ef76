package io.spanscope.spans.bench;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.spanscope.capture.event.CaptureClock;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.record.Attributes;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import io.spanscope.spans.CapturedSpanData;
import io.spanscope.spans.SpanFactory;
import io.spanscope.spans.link.LinkerConfig;
import io.spanscope.spans.link.LocalLinker;
import io.spanscope.spans.resolve.InMemoryResolverState;
import io.spanscope.spans.resolve.ResolvedSpanListener;
import io.spanscope.spans.resolve.TraceResolver;
import io.spanscope.spans.service.ServiceIdentity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Span building throughput of the single-threaded span builder (one core): records as the parsers emit
 * them go through {@link SpanFactory#create}, {@link LocalLinker} and {@link TraceResolver}, exactly as
 * {@code SpanPipeline}'s thread drives them, with the default linker waits and parent wait.
 *
 * <p>Traffic: a frontend (8 worker threads) serves a request every {@code requestSpacingNs} (50 µs: three in
 * flight; 1 ms), each lasting 150 µs, and calls a backend (HTTP) and an inventory service (HTTP, not traced) from the serving thread;
 * the backend serves the call and queries PostgreSQL. Five records per request, fed in completion order;
 * capture time is the linker's clock. Sequence numbers advance, so every span id is new; linker and
 * resolver state are renewed every {@value #REQUESTS} requests (1 s or 20 s of traffic), so the resolver
 * holds realistic amounts of known spans.
 *
 * <p>{@code build}: records → resolved spans. {@code buildAndMarshal}: the same, plus what the OTLP
 * exporter does to a batch before the network: {@code TraceRequestMarshaler.create(batch).writeBinaryTo}
 * into a reused buffer, batches of 512 spans. Scores are spans/s.
 *
 * <p>Run: see span-builder/README.md.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SpanBuildBenchmark {

    static final int REQUESTS = 20_000;
    static final int RECORDS_PER_REQUEST = 5;
    static final int BATCH_REQUESTS = 200;
    static final int SPANS_PER_INVOCATION = BATCH_REQUESTS * RECORDS_PER_REQUEST;
    private static final int EXPORT_BATCH = 512;
    private static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private static final int FRONTEND = 2000;
    private static final int BACKEND = 3000;

    @State(Scope.Thread)
    public static class Traffic {
        final List<Record> records = new ArrayList<>(REQUESTS * RECORDS_PER_REQUEST);
        final SpanFactory factory = new SpanFactory(CaptureClock.monotonicAnchoredNow());
        final ServiceIdentity frontend = identity("frontend");
        final ServiceIdentity backend = identity("backend");
        final List<SpanData> exportBatch = new ArrayList<>(EXPORT_BATCH);
        final ByteArrayOutputStream wire = new ByteArrayOutputStream(1 << 20);
        /** Time between two frontend requests: 50 µs is 20 000 requests/s into one process, 1 ms is 1 000/s. */
        @Param({"50000", "1000000"})
        long requestSpacingNs;
        Blackhole blackhole;
        boolean marshal;
        LocalLinker linker;
        TraceResolver resolver;
        int cursor;
        long nextTick;
        long spansOut;
        long bytesOut;

        @Setup(Level.Trial)
        public void setUp(Blackhole bh) {
            blackhole = bh;
            Endpoint loadBalancer = endpoint("10.0.0.9", 40_000);
            Endpoint frontendListen = endpoint("10.0.0.1", 8080);
            Endpoint backendListen = endpoint("10.0.0.2", 8080);
            Endpoint inventoryListen = endpoint("10.0.0.3", 80);
            Endpoint postgres = endpoint("10.0.0.4", 5432);
            for (int i = 0; i < REQUESTS; i++) {
                long t = 1_000_000_000L + i * requestSpacingNs;
                int frontendTid = FRONTEND + 1 + i % 8;
                int backendTid = BACKEND + 1 + i % 8;
                long seq = 1_000_000L + i * 64L;
                records.add(http(FRONTEND, frontendTid, Role.SERVER, loadBalancer, frontendListen, t, t + 150_000,
                        seq, "GET", "/api/orders/" + i, "/api/orders/{id}", 200));
                records.add(http(FRONTEND, frontendTid, Role.CLIENT, endpoint("10.0.0.1", 50_000 + i % 8),
                        backendListen, t + 20_000, t + 100_000, seq + 8, "GET", "/stock/" + i, null, 200));
                records.add(http(BACKEND, backendTid, Role.SERVER, endpoint("10.0.0.1", 50_000 + i % 8),
                        backendListen, t + 30_000, t + 90_000, seq + 8, "GET", "/stock/" + i, "/stock/{sku}", 200));
                records.add(pg(BACKEND, backendTid, endpoint("10.0.0.2", 51_000 + i % 8), postgres,
                        t + 40_000, t + 80_000, seq + 16));
                records.add(http(FRONTEND, frontendTid, Role.CLIENT, endpoint("10.0.0.1", 52_000 + i % 8),
                        inventoryListen, t + 110_000, t + 130_000, seq + 24, "POST", "/reserve", null,
                        i % 50 == 0 ? 503 : 201));
            }
            records.sort(Comparator.comparingLong(Record::responseEndNs));
            reset();
        }

        void reset() {
            cursor = 0;
            nextTick = 0;
            LinkerConfig defaults = LinkerConfig.defaults();
            long parentWait = TimeUnit.SECONDS.toNanos(2);
            resolver = new TraceResolver(new InMemoryResolverState(parentWait * 10, 1_000_000, 200_000), parentWait,
                    peer -> !peer.address().getHostAddress().equals("10.0.0.9"), new ResolvedSpanListener() {
                        @Override
                        public void onSpan(CapturedSpanData span) {
                            spansOut++;
                            if (marshal) {
                                exportBatch.add(span);
                                if (exportBatch.size() == EXPORT_BATCH) {
                                    export();
                                }
                            } else {
                                blackhole.consume(span);
                            }
                        }
                    });
            linker = new LocalLinker(defaults, tgid -> true, fragment -> resolver.onFragment(fragment, now()));
        }

        private long now;

        long now() {
            return now;
        }

        void export() {
            try {
                TraceRequestMarshaler.create(exportBatch).writeBinaryTo(wire);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            bytesOut += wire.size();
            wire.reset();
            exportBatch.clear();
        }

        void runBatch() {
            if (cursor + SPANS_PER_INVOCATION > records.size()) {
                linker.flush();
                resolver.flush(now);
                reset();
            }
            for (int i = 0; i < SPANS_PER_INVOCATION; i++) {
                Record record = records.get(cursor++);
                now = record.responseEndNs() + 2_000;
                ServiceIdentity service = record.tgid() == FRONTEND ? frontend : backend;
                String peerService = record.role() == Role.CLIENT && record.server().port() == 8080 ? "backend" : null;
                linker.offer(factory.create(record, service, peerService), now);
                if (now >= nextTick) {
                    linker.tick(now);
                    resolver.tick(now);
                    nextTick = now + TICK_NS;
                }
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(SPANS_PER_INVOCATION)
    public long build(Traffic traffic) {
        traffic.marshal = false;
        traffic.runBatch();
        return traffic.spansOut;
    }

    @Benchmark
    @OperationsPerInvocation(SPANS_PER_INVOCATION)
    public long buildAndMarshal(Traffic traffic) {
        traffic.marshal = true;
        traffic.runBatch();
        return traffic.bytesOut;
    }

    static Record http(int tgid, int tid, Role role, Endpoint client, Endpoint server, long startNs, long endNs,
                       long seq, String method, String path, String route, long status) {
        Attributes.Builder a = Attributes.builder().put("http.request.method", method).put("url.path", path)
                .put("network.protocol.version", "1.1").put("server.address", server.address().getHostAddress())
                .put("server.port", (long) server.port()).put("user_agent.original", "okhttp/4.12.0")
                .put("http.response.status_code", status).put("http.response.body.size", 512L);
        if (route != null) {
            a.put("http.route", route);
        }
        return Record.builder().protocol(Protocol.HTTP1).connectionId(new ConnectionId(tgid, tid, 1)).role(role)
                .client(client).server(server).request(tid, startNs, startNs + 5_000, seq, 240)
                .response(tid, endNs - 5_000, endNs, seq + 4, 700).attributes(a.build()).build();
    }

    static Record pg(int tgid, int tid, Endpoint client, Endpoint server, long startNs, long endNs, long seq) {
        Attributes a = Attributes.builder().put("db.system.name", "postgresql").put("db.namespace", "stock")
                .put("db.operation.name", "SELECT").put("db.collection.name", "items")
                .put("db.query.text", "SELECT qty FROM items WHERE sku = ?").build();
        return Record.builder().protocol(Protocol.POSTGRESQL).connectionId(new ConnectionId(tgid, 500 + tid, 1))
                .role(Role.CLIENT).client(client).server(server).request(tid, startNs, startNs + 2_000, seq, 80)
                .response(tid, endNs - 2_000, endNs, seq + 4, 120).attributes(a).build();
    }

    static ServiceIdentity identity(String name) {
        return new ServiceIdentity(name, Resource.create(io.opentelemetry.api.common.Attributes.builder()
                .put(AttributeKey.stringKey("service.name"), name).put(AttributeKey.stringKey("host.name"), "node-1")
                .put(AttributeKey.longKey("process.pid"), 1234L).build()), true);
    }

    static Endpoint endpoint(String address, int port) {
        try {
            return new Endpoint(InetAddress.getByName(address), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}

package io.spanscope.parsers.bench;

import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.record.Record;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.List;

/**
 * HTTP/1 parse + match throughput of one tracker (one core): a realistic keep-alive server-side
 * stream (see {@link RealisticHttpTraffic}) fed as reused DataEvent flyweights, with running sequence
 * numbers as a live probe reports them, through stream assembly, detection, decoding, FIFO matching and
 * record building into a sink that only counts. Reports captured bytes/s and records/s.
 *
 * <p>Run: {@code mvn -q -o -pl protocol-parsers -am test-compile} then
 * {@code java -cp <test classpath> io.spanscope.parsers.bench.Http1ParseBenchmark} (see README).
 */
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class Http1ParseBenchmark {

    private static final int EXCHANGES_PER_BATCH = 2_000;

    @State(Scope.Thread)
    public static class Stream {
        List<RealisticHttpTraffic.Chunk> chunks;
        long batchBytes;
        final DataEvent event = new DataEvent();
        ConnectionTracker tracker;
        Blackhole blackhole;
        long records;
        int requestSequence = 0x7FFF_0000;
        int responseSequence = 0xFFFF_0000;

        @Setup(Level.Trial)
        public void setUp(Blackhole bh) {
            blackhole = bh;
            chunks = RealisticHttpTraffic.build(EXCHANGES_PER_BATCH, 42);
            batchBytes = chunks.stream().mapToLong(c -> c.bytes().length).sum();
            tracker = new ConnectionTracker(ParserConfig.defaults(), this::count);
            ConnectionId id = new ConnectionId(1000, 5, 1);
            event.setConnection(id.tgid(), id.tgid(), id.fd(), id.generation()).setRole(Role.SERVER)
                    .setEndpoints(false, new byte[] {10, 0, 0, 2}, 0, 8080, new byte[] {10, 0, 0, 1}, 0, 43210);
        }

        private void count(Record record) {
            records++;
            blackhole.consume(record);
        }
    }

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Throughput {
        public long bytes;
        public long records;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
            records = 0;
        }
    }

    @Benchmark
    public void keepAliveStream(Stream s, Throughput out) {
        long recordsBefore = s.records;
        long ts = System.nanoTime();
        DataEvent e = s.event;
        List<RealisticHttpTraffic.Chunk> chunks = s.chunks;
        for (int i = 0, n = chunks.size(); i < n; i++) {
            RealisticHttpTraffic.Chunk chunk = chunks.get(i);
            byte[] b = chunk.bytes();
            if (chunk.request()) {
                e.setDirection(Direction.INGRESS).setRange(s.requestSequence, b.length);
                s.requestSequence += b.length;
            } else {
                e.setDirection(Direction.EGRESS).setRange(s.responseSequence, b.length);
                s.responseSequence += b.length;
            }
            e.setTimestampNs(ts + i).setPayload(b, 0, b.length);
            s.tracker.onData(e);
        }
        out.bytes += s.batchBytes;
        out.records += s.records - recordsBefore;
    }

    public static void main(String[] args) throws RunnerException {
        new Runner(new OptionsBuilder().include(Http1ParseBenchmark.class.getSimpleName()).build()).run();
    }
}

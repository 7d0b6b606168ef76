package io.spanscope.parsers.bench;

import io.spanscope.capture.pcap.Views;
import io.spanscope.parsers.ConnectionTracker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/2 + HPACK + gRPC parsing on one core: the events of a real grpc-go capture of unary calls
 * (server view), read once from the pcap, replayed through a fresh {@link ConnectionTracker} per
 * invocation into a counting sink. Pcap reading and TCP reassembly are outside the measurement.
 *
 * <p>Make the capture with {@code scripts/pcaps/http2.sh --bench 20000} (20 000 unary calls on one
 * connection into protocol-parsers/target/bench-pcaps/); the {@code :bytes} line is payload bytes/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class Http2ParseBenchmark {

    @Param("protocol-parsers/target/bench-pcaps/grpc-unary-bench.pcap")
    public String pcap;

    private RecordedEvents events;

    @Setup
    public void load() throws IOException {
        events = RecordedEvents.read(Path.of(pcap), Views.SERVER_ONLY);
        if (events.replayThroughNewTracker() == 0) {
            throw new IllegalStateException("no exchanges in " + pcap);
        }
    }

    @Benchmark
    public long replayGrpcUnary(ReplayCounters counters) {
        long records = events.replayThroughNewTracker();
        counters.bytes += events.payloadBytes();
        counters.records += records;
        return records;
    }
}
